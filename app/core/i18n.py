"""Language: Vietnamese by default, English on request (?lang=en, remembered in a cookie).

Message ids are the Vietnamese texts; `translations/en` holds the English ones, so a missing
translation still shows correct Vietnamese rather than a key.
"""

from __future__ import annotations

from flask import Flask, Response, g, request

LANGUAGES = ("vi", "en")
COOKIE = "lang"


def select_locale() -> str:
    wanted = request.args.get("lang") or request.cookies.get(COOKIE)
    return wanted if wanted in LANGUAGES else "vi"


def init_app(app: Flask) -> None:
    from app.extensions import babel

    app.config.setdefault("BABEL_DEFAULT_LOCALE", "vi")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")
    babel.init_app(app, locale_selector=select_locale)

    @app.before_request
    def _remember_choice() -> None:
        g.lang = select_locale()

    @app.after_request
    def _store_choice(response: Response) -> Response:
        chosen = request.args.get("lang")
        if chosen in LANGUAGES and request.cookies.get(COOKIE) != chosen:
            response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        return response

    @app.context_processor
    def _language() -> dict:
        return {"lang": g.get("lang", "vi"), "other_lang": "en" if g.get("lang", "vi") == "vi" else "vi"}

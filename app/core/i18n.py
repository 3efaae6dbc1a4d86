"""Language: Vietnamese by default, English on request (?lang=en, remembered in a cookie).

Message ids are the Vietnamese texts; `translations/en` holds the English ones, so a missing
translation still shows correct Vietnamese rather than a key.
"""

from __future__ import annotations

from urllib.parse import urlencode

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
        lang = g.get("lang", "vi")
        other = "en" if lang == "vi" else "vi"
        # the same page in the other language, keeping its other choices (period, filters ...)
        args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", other)]
        return {"lang": lang, "other_lang": other, "other_lang_url": "?" + urlencode(args)}

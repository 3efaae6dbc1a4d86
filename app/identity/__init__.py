"""Electronic identification: sign-in with VNeID / the national portal over OpenID Connect (`oidc`),
the claims mapped to a person or organisation (`claims`, the one module to adjust to the provider's
contract), the accounts made from them (`services`), forms filled from the verified identity
(`prefill`), and a development stand-in provider (`demo_provider`, never used by the app itself)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.identity import models  # noqa: F401  (identities table)
    from app.identity.claims import claim_names
    from app.identity.oidc import ProviderSettings
    from app.identity.views import bp

    claim_names(
        app.config.get("OIDC_CLAIM_NAMES")
    )  # a wrong OIDC_CLAIM_NAMES stops start-up, with its reason
    app.register_blueprint(bp)

    @app.context_processor
    def sign_in_options() -> dict:
        return {
            "vneid_sign_in": ProviderSettings.from_config(app.config) is not None,
            "citizen_password_accounts": bool(app.config.get("CITIZEN_PASSWORD_ACCOUNTS")),
        }

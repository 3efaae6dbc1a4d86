"""Extension objects, created unbound and attached in create_app()."""

from flask import Flask, current_app, has_app_context
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from app.core.db import Base
from app.core.errors import ErrorSchema

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()


class _Api(Api):
    ERROR_SCHEMA = ErrorSchema  # the error bodies the app writes (app.core.errors.respond)


api = _Api()
csrf = CSRFProtect()
babel = Babel()


# Rate limits, keyed by the client address (request.remote_addr, which ProxyFix sets from the
# forwarded address of TRUSTED_PROXIES proxies). Storage: RATELIMIT_STORAGE_URI (Redis in production,
# process memory in the embedded default). Routes opt in with @limiter.limit(...); there are no
# default limits. A refused request answers 429 with Retry-After (app.auth.init_app).
class _PerAppLimiter(Limiter):
    """Flask-Limiter keeps its storage on the extension object, so a second app in the process (the
    test suite's worker apps, a private Redis that is then stopped) would take over the first app's
    counters. The storage, the strategy and the key prefix are kept per app instead; the route
    decorators stay on this one object."""

    _PER_APP = ("_storage", "_limiter", "_key_prefix")

    def init_app(self, app: Flask) -> None:
        for name in self._PER_APP:
            self.__dict__.pop(name, None)
        self.__dict__["_key_prefix"] = None  # each app reads its own RATELIMIT_KEY_PREFIX
        super().init_app(app)
        app.extensions["rate_limit_backend"] = {name: self.__dict__.get(name) for name in self._PER_APP}

    def __getattribute__(self, name: str) -> object:
        if name in _PerAppLimiter._PER_APP and has_app_context():
            backend = current_app.extensions.get("rate_limit_backend")
            if backend is not None:
                return backend[name]
        return super().__getattribute__(name)


limiter = _PerAppLimiter(get_remote_address)

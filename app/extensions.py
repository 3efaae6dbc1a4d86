"""Extension objects, created unbound and attached in create_app()."""

from flask_babel import Babel
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

"""Extensions, created unbound; ``create_app`` binds them to the application."""

from flask_babel import Babel
from flask_caching import Cache
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from tracker.core.models import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
babel = Babel()
# Pages, JSON and static files compressed (zstd, brotli or gzip, as the browser accepts).
compress = Compress()
# Report figures; configured from CACHE_URL by tracker.core.cache.backend_settings.
cache = Cache()

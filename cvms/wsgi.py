import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cvms.settings")
django_application = get_wsgi_application()

from cvms.core.public_cache import PublicCacheApp  # noqa: E402 - settings are loaded above

# Public, cookie-less answers (the finder page, the scheduling feed) come from the cache.
application = PublicCacheApp(django_application)

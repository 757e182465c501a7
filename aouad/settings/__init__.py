"""Settings as a package: base, dev (manage.py's default), test, prod (wsgi/asgi's)."""

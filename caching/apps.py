from django.apps import AppConfig


class CachingConfig(AppConfig):
    name = "caching"
    verbose_name = "Caching"

    def ready(self):
        # Every app's declared content, connected once every model is loaded.
        from .versions import connect_declared_content

        connect_declared_content()

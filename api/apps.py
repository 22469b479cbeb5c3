from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API cho hệ thống khác")

    def ready(self):
        from . import schema  # noqa: F401 (registers the OpenAPI extension of the token scheme)

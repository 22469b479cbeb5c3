from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolloutConfig(AppConfig):
    name = "rollout"
    verbose_name = _("Triển khai ISO 9001")

    def ready(self):
        from . import history  # noqa: F401  (connects history.one_moment_per_request)

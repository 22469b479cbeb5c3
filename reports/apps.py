from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Dashboards and the yearly report (báo cáo): read-only views over the rollout."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Báo cáo, tổng quan")

    def ready(self):
        from .cache import row_changed

        post_save.connect(row_changed, dispatch_uid="reports.cache.saved")
        post_delete.connect(row_changed, dispatch_uid="reports.cache.deleted")

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Dashboards and the yearly report (báo cáo): read-only views over the rollout."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Báo cáo, tổng quan")

    def ready(self):
        from .cache import new_code, row_changed

        post_save.connect(row_changed, dispatch_uid="reports.cache.saved")
        post_delete.connect(row_changed, dispatch_uid="reports.cache.deleted")
        post_migrate.connect(new_code, sender=self, dispatch_uid="reports.cache.migrated")

"""What the reports keep of their own: the version of the data they count."""
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_stamp():
    return uuid.uuid4().hex


class DataVersion(models.Model):
    """The version of the rollout's data (phiên bản dữ liệu); a single row.

    Its stamp changes, in the same transaction, with every change that can move a figure
    (reports.cache), so anything cached under it is never stale: a figure computed after the
    change is stored under the new stamp. A random stamp rather than a counter, so that a database
    restored from a backup never meets cache entries that a later state stored under its number.
    """

    stamp = models.CharField(_("phiên bản"), max_length=32, default=new_stamp)
    changed_at = models.DateTimeField(_("thay đổi lúc"), auto_now=True)

    class Meta:
        verbose_name = _("phiên bản dữ liệu")
        verbose_name_plural = _("phiên bản dữ liệu")

    def __str__(self):
        return self.stamp

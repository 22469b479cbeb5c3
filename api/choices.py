from django.db import models
from django.utils.translation import gettext_lazy as _


class TokenKind(models.TextChoices):
    READ = "read", _("Chỉ đọc (hệ thống báo cáo)")
    WRITE = "write", _("Đọc và ghi")

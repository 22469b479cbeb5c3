from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DOST_STAFF = "dost", _("Chuyên viên Sở KH&CN")
    DISTRICT_OFFICER = "district", _("Cán bộ theo dõi huyện / khu vực")
    LEADERSHIP = "leader", _("Lãnh đạo")
    ADMINISTRATOR = "admin", _("Quản trị hệ thống")

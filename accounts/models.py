"""Who may do what, and where: role assignments (phân quyền theo vai trò và địa bàn)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Role


class RoleAssignment(models.Model):
    """A user's role over an area (vai trò trên một địa bàn): a province, a district, or the nation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("người dùng")
    )
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices)
    province = models.ForeignKey(
        "provinces.Province", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("tỉnh")
    )
    district = models.ForeignKey(
        "provinces.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("huyện (trước 01/07/2025)"),
    )
    area = models.ForeignKey(
        "provinces.ReviewArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("khu vực theo dõi"),
    )

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role=Role.DOST_STAFF, province__isnull=False, district__isnull=True, area__isnull=True)
                    | Q(role=Role.DISTRICT_OFFICER, district__isnull=False, area__isnull=True)
                    | Q(role=Role.DISTRICT_OFFICER, district__isnull=True, area__isnull=False)
                    | Q(role=Role.LEADERSHIP, district__isnull=True, area__isnull=True)
                    | Q(role=Role.ADMINISTRATOR, province__isnull=True, district__isnull=True, area__isnull=True)
                ),
                name="assignment_area_fits_role",
                violation_error_message=_(
                    "Địa bàn không phù hợp vai trò: chuyên viên Sở cần một tỉnh, cán bộ theo dõi cần một huyện "
                    "(trước 01/07/2025) hoặc một khu vực, lãnh đạo cần một tỉnh (hoặc để trống cho toàn quốc), "
                    "quản trị không cần địa bàn."
                ),
            ),
            models.UniqueConstraint(fields=["user", "role", "province", "district", "area"], name="assignment_unique"),
        ]

    def __str__(self):
        area = self.area or self.district or self.province or _("toàn quốc")
        return f"{self.get_role_display()} — {area}"

    def clean(self):
        super().clean()
        if self.role == Role.DISTRICT_OFFICER and self.district_id:
            self.province_id = self.district.province_id
        if self.role == Role.DISTRICT_OFFICER and self.area_id:
            self.province_id = self.area.province_id
        if self.role == Role.DOST_STAFF and not self.province_id:
            raise ValidationError({"province": _("Chuyên viên Sở KH&CN cần được gán một tỉnh.")})

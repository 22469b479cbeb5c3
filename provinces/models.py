"""Administrative units from the official GSO lists (Tổng cục Thống kê)."""
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.querysets import ScopedQuerySet
from isotrack.text import fold

from .choices import DivisionType


class UnitQuerySet(ScopedQuerySet):
    def search(self, text):
        """Units whose name contains `text`, ignoring accents and case ("lam ha" finds "Lâm Hà")."""
        folded = fold(text)
        if not folded:
            return self
        if folded.isdigit():
            return self.filter(Q(code=folded) | Q(search_name__contains=folded))
        return self.filter(search_name__contains=folded)

    def valid_on(self, day):
        """Units of the edition in force on `day`."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gt=day),
        )


class AdministrativeUnit(models.Model):
    """What every unit level shares: official code, name, kind and validity."""

    code = models.CharField(_("mã"), max_length=5, db_index=True)
    name = models.CharField(_("tên"), max_length=120, help_text=_("Tên đầy đủ, ví dụ \"Huyện Lâm Hà\"."))
    short_name = models.CharField(_("tên ngắn"), max_length=100)
    division_type = models.CharField(_("loại đơn vị"), max_length=20, choices=DivisionType.choices)
    search_name = models.CharField(max_length=120, editable=False, db_index=True)
    # A code identifies a unit only together with the edition it belongs to: codes were
    # reused by the 2025 reform. valid_until is exclusive (the first day it no longer exists).
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_until = models.DateField(_("hết hiệu lực từ"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="predecessors", verbose_name=_("đơn vị kế thừa")
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")})
        overlapping = type(self).objects.filter(code=self.code).exclude(pk=self.pk)
        if self.valid_until:
            overlapping = overlapping.filter(Q(valid_from__isnull=True) | Q(valid_from__lt=self.valid_until))
        if self.valid_from:
            overlapping = overlapping.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=self.valid_from))
        if overlapping.exists():
            raise ValidationError(
                {"code": _("Mã {code} đã thuộc một đơn vị khác có hiệu lực cùng thời gian.").format(code=self.code)}
            )

    @classmethod
    def validity_constraints(cls, prefix):
        return [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name=f"{prefix}_validity_in_order",
                violation_error_message=_("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."),
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(valid_until__isnull=True),
                name=f"{prefix}_code_unique_among_current",
                violation_error_message=_("Mã này đã thuộc một đơn vị đang có hiệu lực."),
            ),
        ]


class Province(AdministrativeUnit):
    """A province or centrally-run city (Tỉnh / Thành phố trực thuộc trung ương)."""

    scope_lookups = {"province": "pk"}

    class Meta(AdministrativeUnit.Meta):
        verbose_name = _("tỉnh/thành phố")
        verbose_name_plural = _("tỉnh/thành phố")
        constraints = AdministrativeUnit.validity_constraints("province")


class District(AdministrativeUnit):
    """A district-level unit (Huyện / Quận / Thị xã / Thành phố thuộc tỉnh); abolished on 01/07/2025.

    A province may keep its former districts as review areas for district officers.
    """

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="districts", verbose_name=_("tỉnh"))

    scope_lookups = {"province": "province", "district": "pk"}

    class Meta(AdministrativeUnit.Meta):
        verbose_name = _("huyện")
        verbose_name_plural = _("huyện")
        constraints = AdministrativeUnit.validity_constraints("district")


class Commune(AdministrativeUnit):
    """A commune-level unit (Xã / Phường / Thị trấn / Đặc khu) whose People's Committee applies the QMS."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes", verbose_name=_("tỉnh"))
    # Optional: a commune of the two-tier edition (from 01/07/2025) belongs to no district.
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="communes", verbose_name=_("huyện")
    )

    scope_lookups = {"province": "province", "district": "district"}

    class Meta(AdministrativeUnit.Meta):
        verbose_name = _("xã")
        verbose_name_plural = _("xã")
        constraints = AdministrativeUnit.validity_constraints("commune")

    def clean(self):
        super().clean()
        if self.district_id and self.province_id and self.district.province_id != self.province_id:
            raise ValidationError({"district": _("Huyện đã chọn không thuộc tỉnh của xã.")})

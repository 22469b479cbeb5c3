"""Administrative units from the official GSO lists (Tổng cục Thống kê)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.querysets import ScopedQuerySet
from isotrack.text import fold

from .choices import DivisionType
from .editions import edition_of


def in_force_on(day, prefix=""):
    """A filter for units in force on `day`, through `prefix` (e.g. "enrolment__commune__"):
    a join, never a subquery, so the planner sees the rows it filters."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": day})
    )


def search_filter(model, text, prefix=""):
    """A filter for units of `model` (through `prefix`, e.g. "commune__") whose name, or the
    name of a unit they lie in (the model's `searched_through`: a commune's district, review
    area and province), contains `text`, ignoring accents and case: "lam ha" finds "Lâm Hà"
    and the communes of the district Lâm Hà. Digits also match a code. None when `text` has
    nothing to search for."""
    folded = fold(text)
    if not folded:
        return None
    condition = Q(**{f"{prefix}search_name__contains": folded})
    for path in model.searched_through:
        condition |= Q(**{f"{prefix}{path}__search_name__contains": folded})
    if folded.isdigit():
        condition |= Q(**{f"{prefix}code": folded})
    return condition


class UnitQuerySet(ScopedQuerySet):
    def search(self, text):
        """Units found by `text` (see search_filter)."""
        condition = search_filter(self.model, text)
        return self if condition is None else self.filter(condition)

    def valid_on(self, day):
        """Units of the edition in force on `day`."""
        return self.filter(in_force_on(day))

    def current(self):
        """Units in force today: what every page shows unless asked for another edition."""
        return self.valid_on(timezone.localdate())

    def of_edition(self, edition):
        return self.filter(**edition.unit_filter())


class SearchableName(models.Model):
    """A folded copy of `name` (isotrack.text.fold) that an accent-free search matches."""

    search_name = models.CharField(max_length=120, editable=False, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)


class AdministrativeUnit(SearchableName):
    """What every unit level shares: official code, name, kind and validity."""

    code = models.CharField(_("mã"), max_length=5, db_index=True)
    name = models.CharField(_("tên"), max_length=120, help_text=_('Tên đầy đủ, ví dụ "Huyện Lâm Hà".'))
    short_name = models.CharField(_("tên ngắn"), max_length=100)
    division_type = models.CharField(_("loại đơn vị"), max_length=20, choices=DivisionType.choices)
    # A code identifies a unit only together with the edition it belongs to: codes were
    # reused by the 2025 reform. valid_until is exclusive (the first day it no longer exists).
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_until = models.DateField(_("hết hiệu lực từ"), null=True, blank=True)

    objects = UnitQuerySet.as_manager()
    # Units this one lies in whose names a search also matches (UnitQuerySet.search).
    searched_through = ()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} {self.period_note}" if self.valid_until else self.name

    @property
    def period_note(self):
        """ "(trước 01/07/2025)" for a unit of an edition with an end, "" otherwise."""
        if not self.valid_until:
            return ""
        return gettext("(trước {day})").format(day=self.valid_until.strftime("%d/%m/%Y"))

    @property
    def edition(self):
        return edition_of(self)

    def is_current(self, day=None):
        day = day or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day < self.valid_until
        )

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
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gt=models.F("valid_from")),
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

    successors = models.ManyToManyField(
        "self",
        through="ProvinceSuccession",
        symmetrical=False,
        blank=True,
        related_name="predecessors",
        verbose_name=_("tỉnh kế thừa"),
    )

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
    searched_through = ("province",)

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
    # Not official data: the province's grouping of today's communes for its area officers.
    area = models.ForeignKey(
        "ReviewArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communes",
        verbose_name=_("khu vực theo dõi"),
    )
    successors = models.ManyToManyField(
        "self",
        through="CommuneSuccession",
        symmetrical=False,
        blank=True,
        related_name="predecessors",
        verbose_name=_("xã kế thừa"),
    )

    history = HistoricalRecords(excluded_fields=["search_name"])
    scope_lookups = {"province": "province", "district": "district", "area": "area"}
    searched_through = ("district", "area", "province")

    class Meta(AdministrativeUnit.Meta):
        verbose_name = _("xã")
        verbose_name_plural = _("xã")
        constraints = AdministrativeUnit.validity_constraints("commune")
        indexes = [models.Index(fields=["province", "valid_until"], name="commune_province_edition_idx")]

    @property
    def place(self):
        """The unit that tells communes of the same name apart: the district on the pre-2025
        map ("Đà Lạt", "Bảo Lộc" for two "Phường 1"), on today's map the review area, else the
        province. Needs those loaded (select_related)."""
        if self.district_id:
            return self.district.short_name
        if self.area_id:
            return self.area.name
        return self.province.short_name

    @property
    def label(self):
        """The commune as people tell it apart, wherever names repeat: "Phường 1 — Đà Lạt
        (trước 01/07/2025)", "Xã Tân Hà — Lâm Hà" (see `place`)."""
        text = f"{self.name} — {self.place}"
        return f"{text} {self.period_note}" if self.valid_until else text

    def clean(self):
        super().clean()
        if self.district_id and self.province_id and self.district.province_id != self.province_id:
            raise ValidationError({"district": _("Huyện đã chọn không thuộc tỉnh của xã.")})
        if self.area_id and self.province_id and self.area.province_id != self.province_id:
            raise ValidationError({"area": _("Khu vực đã chọn không thuộc tỉnh của xã.")})


class ProvinceSuccession(models.Model):
    """A province of an ended edition and the province of a later one it went into (sáp nhập tỉnh)."""

    predecessor = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("tỉnh cũ"))
    successor = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("tỉnh mới"))

    class Meta:
        verbose_name = _("sắp xếp tỉnh")
        verbose_name_plural = _("sắp xếp tỉnh")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="province_succession_unique"),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor}"


class CommuneSuccession(models.Model):
    """A commune of an ended edition and a commune of a later one it went into (sắp xếp xã), whole or in part.

    An old commune split between several new ones has one row per new commune, all `whole=False`,
    and exactly one of them marked `is_default` (where its records roll up)."""

    predecessor = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("xã cũ"))
    successor = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", verbose_name=_("xã mới"))
    whole = models.BooleanField(_("nhập toàn bộ"), default=True)
    is_default = models.BooleanField(_("xã kế thừa chính"), default=True)

    class Meta:
        verbose_name = _("sắp xếp xã")
        verbose_name_plural = _("sắp xếp xã")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="commune_succession_unique"),
            models.UniqueConstraint(
                fields=["predecessor"],
                condition=Q(is_default=True),
                name="commune_succession_one_default",
                violation_error_message=_("Mỗi xã cũ chỉ có một xã kế thừa chính."),
            ),
        ]
        indexes = [models.Index(fields=["successor"], name="commune_succession_succ_idx")]

    def __str__(self):
        return f"{self.predecessor} → {self.successor}"


class AreaQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)


class ReviewArea(SearchableName):
    """A review area (khu vực theo dõi) of a province of today: communes followed by one area officer.

    Districts were abolished on 01/07/2025; a province groups its communes into areas instead,
    often starting from its former districts."""

    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="areas", verbose_name=_("tỉnh"))
    name = models.CharField(_("tên khu vực"), max_length=120)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    archived_at = models.DateTimeField(_("lưu trữ lúc"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    # Optimistic locking: the area form carries the version it was read at.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["search_name"])
    objects = AreaQuerySet.as_manager()
    scope_lookups = {"province": "province", "area": "pk"}

    class Meta:
        verbose_name = _("khu vực theo dõi")
        verbose_name_plural = _("khu vực theo dõi")
        ordering = ["province", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "name"],
                name="area_unique_name",
                violation_error_message=_("Tỉnh đã có khu vực mang tên này."),
            ),
        ]

    def __str__(self):
        return gettext("Khu vực {name}").format(name=self.name)

    @property
    def short_name(self):
        return self.name

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import Archivable, RolloutQuerySet

# The records a document can be attached to, each by its own foreign key: the database keeps
# each link whole (PROTECT), a check constraint says exactly one is set, and the November
# and commune pages join them in SQL. (A generic relation could not do either.)
PARENTS = ("step", "announcement", "inspection", "maintenance", "expenditure")


def document_path(document, filename):
    """Where the file is stored: a random name under evidence/year/month/; the name the user
    gave is kept in `original_name` only, so it never reaches a path."""
    day = timezone.localdate()
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{day:%Y}/{day:%m}/{uuid.uuid4().hex}.{extension}"


class DocumentQuerySet(RolloutQuerySet):
    def for_listing(self):
        """What a list of documents shows: who uploaded each, newest last."""
        return self.active().select_related("uploaded_by").order_by("created_at", "pk")


class Document(Archivable):
    """An evidence file (tài liệu minh chứng): the scanned decision, minutes, inspection
    record or invoice behind a step, an announcement, an inspection, a maintenance activity
    or an expenditure."""

    step = models.ForeignKey(
        "Step",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("bước triển khai"),
    )
    announcement = models.ForeignKey(
        "Announcement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("công bố"),
    )
    inspection = models.ForeignKey(
        "Inspection",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("kiểm tra"),
    )
    maintenance = models.ForeignKey(
        "MaintenanceActivity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("hoạt động duy trì"),
    )
    expenditure = models.ForeignKey(
        "Expenditure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("khoản chi"),
    )
    # Copied from the record when the document is attached (a record never changes its plan,
    # enrolment or commune): the scope rule and the pages reach a document by ordinary paths.
    plan = models.ForeignKey("RolloutPlan", on_delete=models.PROTECT, related_name="+", verbose_name=_("kế hoạch"))
    enrolment = models.ForeignKey(
        "Enrolment", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("xã tham gia")
    )
    commune = models.ForeignKey(
        "provinces.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("xã")
    )
    file = models.FileField(_("tệp"), upload_to=document_path, max_length=200)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    kind = models.CharField(_("loại tệp"), max_length=8)
    content_type = models.CharField(_("kiểu nội dung"), max_length=120)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    title = models.CharField(
        _("tên văn bản"),
        max_length=300,
        blank=True,
        help_text=_("Ví dụ: Quyết định số 125/QĐ-UBND; biên bản đánh giá nội bộ."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người tải lên")
    )

    history = HistoricalRecords()
    # As the record it belongs to: an officer sees the documents of their communes only (an
    # expenditure for no commune is plan-wide money, which officers do not see).
    scope_lookups = {"province": "plan__province", "district": "commune__district", "area": "commune__area"}
    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("tài liệu minh chứng")
        verbose_name_plural = _("tài liệu minh chứng")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(step__isnull=False, announcement=None, inspection=None, maintenance=None, expenditure=None)
                    | Q(step=None, announcement__isnull=False, inspection=None, maintenance=None, expenditure=None)
                    | Q(step=None, announcement=None, inspection__isnull=False, maintenance=None, expenditure=None)
                    | Q(step=None, announcement=None, inspection=None, maintenance__isnull=False, expenditure=None)
                    | Q(step=None, announcement=None, inspection=None, maintenance=None, expenditure__isnull=False)
                ),
                name="document_one_record",
                violation_error_message=_("Một tài liệu gắn với đúng một bản ghi."),
            ),
            models.CheckConstraint(
                condition=Q(expenditure__isnull=False) | Q(enrolment__isnull=False, commune__isnull=False),
                name="document_of_a_commune_has_it",
                violation_error_message=_("Tài liệu của một xã tham gia phải ghi xã tham gia đó."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["enrolment"], condition=Q(archived_at__isnull=True), name="document_active_enrolment_idx"
            )
        ]

    def __str__(self):
        return self.title or self.original_name

    @property
    def record(self):
        """The record the document is attached to."""
        return next(getattr(self, name) for name in PARENTS if getattr(self, f"{name}_id"))

    @property
    def parent_key(self):
        """(field name, id) of the record: how a page hangs the document under it."""
        return next((name, getattr(self, f"{name}_id")) for name in PARENTS if getattr(self, f"{name}_id"))

    def clean(self):
        super().clean()
        parent = next((getattr(self, name) for name in PARENTS if getattr(self, f"{name}_id")), None)
        if parent is None:
            return
        enrolment = getattr(parent, "enrolment", None)
        plan_id = parent.plan_id if enrolment is None else enrolment.plan_id
        commune_id = parent.commune_id if enrolment is None else enrolment.commune_id
        if (self.plan_id, self.enrolment_id, self.commune_id) != (
            plan_id,
            enrolment.pk if enrolment else None,
            commune_id,
        ):
            raise ValidationError(_("Tài liệu phải mang kế hoạch, xã tham gia và xã của bản ghi nó gắn với."))

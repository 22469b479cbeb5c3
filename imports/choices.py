from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    """Where an import stands: read and previewed, then written once confirmed."""

    QUEUED = "queued", _("Chờ đọc tệp")
    READING = "reading", _("Đang đọc và đối chiếu")
    MAPPING = "mapping", _("Cần ghép cột")
    PREVIEWED = "previewed", _("Đã xem trước, chờ xác nhận")
    APPLYING = "applying", _("Đang ghi")
    APPLIED = "applied", _("Đã ghi vào hồ sơ")
    FAILED = "failed", _("Không đọc được tệp")


# While in one of these, a worker has the batch: the page shows the progress bar.
WORKING = (BatchStatus.QUEUED, BatchStatus.READING, BatchStatus.APPLYING)


class RowOutcome(models.TextChoices):
    """What a row of the sheet will do, as the preview shows it."""

    CREATE = "create", _("Thêm vào kế hoạch")
    CHANGE = "change", _("Bổ sung hồ sơ")
    SAME = "same", _("Không thay đổi")
    CONFLICT = "conflict", _("Khác với hồ sơ")
    CHOOSE = "choose", _("Cần chọn xã")
    ERROR = "error", _("Lỗi")
    EMPTY = "empty", _("Không có gì để ghi")


# Rows that keep the user from confirming until the sheet is corrected or a commune chosen.
BLOCKING = (RowOutcome.ERROR, RowOutcome.CHOOSE)
# Rows whose operations are written when the user confirms.
WRITTEN = (RowOutcome.CREATE, RowOutcome.CHANGE)

# How the preview marks each outcome (Bootstrap's text-bg-* colours).
OUTCOME_STYLE = {
    RowOutcome.CREATE: "success",
    RowOutcome.CHANGE: "primary",
    RowOutcome.SAME: "secondary",
    RowOutcome.CONFLICT: "warning",
    RowOutcome.CHOOSE: "info",
    RowOutcome.ERROR: "danger",
    RowOutcome.EMPTY: "light",
}

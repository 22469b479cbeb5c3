from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    """What a reminder rule is about: each kind has a national rule and may have a province's
    own, each valid for a period (rule data, edited on the rules page)."""

    STEP = "step", _("Bước triển khai đến hạn, quá hạn")
    PHASE_END = "phase_end", _("Giai đoạn sắp kết thúc")
    YEARLY_AUDIT = "audit", _("Đánh giá nội bộ hằng năm")
    YEARLY_REVIEW = "review", _("Xem xét của lãnh đạo hằng năm")
    LEGAL_UPDATE = "legal", _("Cập nhật thay đổi văn bản pháp luật")
    CORRECTIVE = "corrective", _("Báo cáo khắc phục sau kiểm tra")
    NOVEMBER_REPORT = "report_nov", _("Tổng hợp báo cáo tháng 11")
    DECEMBER_REPORT = "report_dec", _("Báo cáo Bộ KH&CN tháng 12")


class Section(models.TextChoices):
    """The groups of a digest, in the order they are shown."""

    ESCALATED = "escalated", _("Quá hạn lâu, cần lãnh đạo chỉ đạo")
    STEP_OVERDUE = "step_overdue", _("Bước triển khai quá hạn")
    STEP_DUE = "step_due", _("Bước triển khai sắp đến hạn")
    CORRECTIVE = "corrective", _("Báo cáo khắc phục sau kiểm tra")
    YEARLY = "yearly", _("Duy trì hằng năm")
    LEGAL = "legal", _("Cập nhật thay đổi văn bản pháp luật")
    PHASE_END = "phase_end", _("Giai đoạn sắp kết thúc")
    REPORT = "report", _("Báo cáo định kỳ")


SECTION_ORDER = {section: index for index, section in enumerate(Section.values)}

from django.db import models
from django.utils.translation import gettext_lazy as _


class StandardVersion(models.TextChoices):
    ISO_2008 = "2008", _("TCVN ISO 9001:2008")
    ISO_2015 = "2015", _("TCVN ISO 9001:2015")


class TargetKind(models.TextChoices):
    # xgettext:no-python-format
    SHARE = "share", _("Tỷ lệ % số xã của tỉnh")
    COUNT = "count", _("Số xã")


class PhaseKind(models.TextChoices):
    PILOT = "pilot", _("Thí điểm")
    EXPANSION = "expansion", _("Nhân rộng")
    EXTENSION = "extension", _("Mở rộng phạm vi")
    CONVERSION = "conversion", _("Chuyển đổi phiên bản")
    MAINTENANCE = "maintenance", _("Duy trì")


class BudgetCategory(models.TextChoices):
    CONSULTING = "consulting", _("Tư vấn và đào tạo")
    FRAMEWORK = "framework", _("Xây dựng mô hình khung")
    COMMUNE_SUPPORT = "support", _("Hỗ trợ các xã")
    EVALUATION = "evaluation", _("Kiểm tra, đánh giá")
    OTHER = "other", _("Khác")


class FundingSource(models.TextChoices):
    SCIENCE = "science", _("Sự nghiệp khoa học và công nghệ")
    PROVINCE = "province", _("Ngân sách tỉnh")
    LOCAL = "local", _("Ngân sách huyện, xã")
    OTHER = "other", _("Nguồn khác")


class Stage(models.TextChoices):
    """The four stages of Decision 19/2014, art. 4."""

    BUILD = "build", _("Xây dựng")
    APPLY = "apply", _("Áp dụng")
    ANNOUNCE = "announce", _("Công bố")
    MAINTAIN = "maintain", _("Duy trì, cải tiến")


class StepKind(models.TextChoices):
    """The steps of the national default template (Decision 19/2014, art. 4), in order. A
    province or a plan may copy the template and add its own steps (rollout.StepTemplate):
    a step's code is then one of these or the template's own."""

    SURVEY = "survey", _("Khảo sát, đánh giá thực trạng")
    STEERING = "steering", _("Lập kế hoạch, thành lập Ban chỉ đạo ISO")
    TRAINING = "training", _("Đào tạo nhận thức")
    DOCUMENTS = "documents", _("Xây dựng tài liệu, quy trình")
    ISSUE = "issue", _("Xem xét, ban hành tài liệu")
    INTERNAL_AUDIT = "audit", _("Đánh giá nội bộ")
    MANAGEMENT_REVIEW = "review", _("Xem xét của lãnh đạo")
    EFFECTIVENESS = "effective", _("Xác nhận hiệu lực của hệ thống")


STEP_ORDER = {kind: index for index, kind in enumerate(StepKind.values, start=1)}
# The national default template: each step's stage and default duration in days. Once every
# step of the build stage is done (documents issued), the commune is applying its system.
STEP_STAGE = {
    StepKind.SURVEY: Stage.BUILD,
    StepKind.STEERING: Stage.BUILD,
    StepKind.TRAINING: Stage.BUILD,
    StepKind.DOCUMENTS: Stage.BUILD,
    StepKind.ISSUE: Stage.BUILD,
    StepKind.INTERNAL_AUDIT: Stage.APPLY,
    StepKind.MANAGEMENT_REVIEW: Stage.APPLY,
    StepKind.EFFECTIVENESS: Stage.APPLY,
}
STEP_DAYS = {
    StepKind.SURVEY: 30,
    StepKind.STEERING: 15,
    StepKind.TRAINING: 30,
    StepKind.DOCUMENTS: 60,
    StepKind.ISSUE: 30,
    # A system is applied about three months before its first internal audit.
    StepKind.INTERNAL_AUDIT: 90,
    StepKind.MANAGEMENT_REVIEW: 30,
    StepKind.EFFECTIVENESS: 15,
}
# Stages a template's steps may belong to: announcing and maintaining are not steps.
STEP_STAGES = [(Stage.BUILD.value, Stage.BUILD.label), (Stage.APPLY.value, Stage.APPLY.label)]


class ReviewState(models.TextChoices):
    NOT_RECORDED = "", _("Chưa ghi nhận")
    AWAITING = "awaiting", _("Chờ huyện xác nhận")
    CONFIRMED = "confirmed", _("Đã xác nhận")
    RETURNED = "returned", _("Trả lại để sửa")


class Status(models.TextChoices):
    """A commune's place in the rollout; derived from its steps and announcements."""

    NOT_STARTED = "not_started", _("Chưa triển khai")
    PLANNED = "planned", _("Đã đưa vào kế hoạch")
    BUILDING = "building", _("Đang xây dựng")
    APPLYING = "applying", _("Đang áp dụng")
    ANNOUNCED = "announced", _("Đã công bố")
    MAINTAINING = "maintaining", _("Đang duy trì")
    LAPSED = "lapsed", _("Công bố hết hiệu lực")
    # The commune was abolished by a reorganisation of administrative units (not a failure).
    ENDED = "ended", _("Kết thúc do sắp xếp ĐVHC")


STATUS_RANK = {status: rank for rank, status in enumerate(Status.values)}
# A commune counts as announced while an announcement is in force, maintained or not.
ANNOUNCED_STATUSES = (Status.ANNOUNCED, Status.MAINTAINING)


class EndReason(models.TextChoices):
    """Why an enrolment stopped before its commune finished (it is kept, with its records)."""

    REORGANISATION = "reorganisation", _("Kết thúc do sắp xếp đơn vị hành chính")
    PLAN_CLOSED = "plan_closed", _("Kết thúc cùng kế hoạch")


class LapseCause(models.TextChoices):
    """Why an announcement stopped being in force: counted apart in the reports."""

    FAILURE = "failure", _("Hết hiệu lực")
    REORGANISATION = "reorganisation", _("Kết thúc do sắp xếp đơn vị hành chính")


class AnnouncementKind(models.TextChoices):
    FIRST = "first", _("Công bố lần đầu")
    REANNOUNCEMENT = "re", _("Công bố lại (thay đổi phạm vi)")
    CONVERSION = "conversion", _("Chuyển đổi sang TCVN ISO 9001:2015")


class InspectionMode(models.TextChoices):
    ON_SITE = "on_site", _("Kiểm tra trực tiếp")
    DOCUMENTS = "documents", _("Kiểm tra qua hồ sơ")


class InspectionResult(models.TextChoices):
    CONFORMING = "conforming", _("Phù hợp")
    CORRECTIONS = "corrections", _("Phù hợp, cần khắc phục")
    NONCONFORMING = "nonconforming", _("Không phù hợp")


class CorrectiveReview(models.TextChoices):
    """Where the commune's report of corrective action after an inspection stands."""

    NONE = "", _("Chưa có báo cáo")
    AWAITING = "awaiting", _("Chờ Sở xem xét")
    ACCEPTED = "accepted", _("Đã chấp nhận")
    RETURNED = "returned", _("Trả lại để bổ sung")


class LapseProposal(models.TextChoices):
    """A non-conforming inspection proposes that the announcement lapse; DOST staff decide."""

    NONE = "", _("Không")
    PROPOSED = "proposed", _("Đề xuất hết hiệu lực, chờ Sở quyết định")
    CONFIRMED = "confirmed", _("Đã xác nhận hết hiệu lực")
    DISMISSED = "dismissed", _("Không chấp nhận đề xuất")


class PeriodKind(models.TextChoices):
    """Periods of the law that are rule data (quy định thời hạn), in months."""

    INTERNAL_AUDIT = "audit", _("Chu kỳ đánh giá nội bộ")
    MANAGEMENT_REVIEW = "review", _("Chu kỳ xem xét của lãnh đạo")
    LEGAL_UPDATE = "legal", _("Thời hạn cập nhật thay đổi văn bản pháp luật")
    CORRECTIVE_ACTION = "corrective", _("Thời hạn báo cáo khắc phục sau kiểm tra")


class Upkeep(models.TextChoices):
    """Facts beside an announced commune's status: its upkeep is late, or its scope changed."""

    OVERDUE = "overdue", _("Duy trì quá hạn")
    REANNOUNCE = "reannounce", _("Cần công bố lại")


class MaintenanceKind(models.TextChoices):
    """Yearly duties of an announced commune (duy trì, cải tiến)."""

    INTERNAL_AUDIT = "audit", _("Đánh giá nội bộ hằng năm")
    MANAGEMENT_REVIEW = "review", _("Xem xét của lãnh đạo hằng năm")
    LEGAL_UPDATE = "legal", _("Cập nhật văn bản pháp luật")


class CapItem(models.TextChoices):
    FIRST_BUILD = "build", _("Xây dựng và áp dụng lần đầu")
    EXTENSION = "extension", _("Mở rộng phạm vi")
    MAINTENANCE = "maintenance", _("Duy trì (mỗi năm)")


class CapLevel(models.TextChoices):
    DISTRICT = "district", _("Cấp huyện, chi cục")
    COMMUNE = "commune", _("Cấp xã")


class CapPerformer(models.TextChoices):
    CONSULTANT = "consultant", _("Thuê tư vấn")
    SELF = "self", _("Tự xây dựng")
    ANY = "any", _("Mọi hình thức")

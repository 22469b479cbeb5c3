"""The rollout of ISO 9001 in a province: plans, money, and each commune's progress."""
from .base import Submission
from .documents import Document
from .money import BudgetLine, Expenditure, FundingCap
from .plans import Consultant, Phase, RolloutPlan
from .progress import (
    Announcement,
    Enrolment,
    Inspection,
    MaintenanceActivity,
    Step,
    alive_q,
    counted_q,
    derive_status,
)

__all__ = [
    "Announcement",
    "BudgetLine",
    "Consultant",
    "Document",
    "Enrolment",
    "Expenditure",
    "FundingCap",
    "Inspection",
    "MaintenanceActivity",
    "Phase",
    "RolloutPlan",
    "Step",
    "Submission",
    "alive_q",
    "counted_q",
    "derive_status",
]

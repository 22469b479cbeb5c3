"""The rollout of ISO 9001 in a province: plans, money, and each commune's progress."""

from .base import Submission
from .documents import Document
from .money import BudgetLine, Expenditure, FundingCap
from .plans import Consultant, Phase, RolloutPlan
from .progress import (
    Announcement,
    Duty,
    Enrolment,
    Inspection,
    MaintenanceActivity,
    Step,
    UpkeepRules,
    alive_q,
    counted_q,
    derive_status,
    overdue_q,
    upkeep_duties,
    upkeep_overdue_q,
)
from .rules import PeriodRule, PhaseCapItem, RuleBook
from .templates import StepTemplate, StepTemplateItem
from .upkeep import InspectionPlan, InspectionPlanItem, LegalChange

__all__ = [
    "Announcement",
    "BudgetLine",
    "Consultant",
    "Duty",
    "Document",
    "Enrolment",
    "Expenditure",
    "FundingCap",
    "Inspection",
    "InspectionPlan",
    "InspectionPlanItem",
    "LegalChange",
    "MaintenanceActivity",
    "PeriodRule",
    "Phase",
    "PhaseCapItem",
    "RolloutPlan",
    "RuleBook",
    "Step",
    "StepTemplate",
    "StepTemplateItem",
    "Submission",
    "UpkeepRules",
    "alive_q",
    "counted_q",
    "derive_status",
    "overdue_q",
    "upkeep_duties",
    "upkeep_overdue_q",
]

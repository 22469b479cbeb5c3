"""Fixtures for the plan, enrolment and budget pages."""

import datetime

import pytest

from rollout.choices import BudgetCategory, FundingSource
from rollout.models import BudgetLine, Expenditure


@pytest.fixture
def as_user(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def make_line(plan, amount, category=BudgetCategory.CONSULTING, phase=None, **fields):
    return BudgetLine.objects.create(
        plan=plan,
        phase=phase,
        category=category,
        funding_source=fields.pop("funding_source", FundingSource.SCIENCE),
        amount=amount,
        **fields,
    )


def make_expenditure(plan, amount, line=None, commune=None, phase=None, **fields):
    defaults = dict(spent_on=datetime.date(2018, 6, 15), document_ref="HĐ 01/2018")
    defaults.update(fields)
    return Expenditure.objects.create(
        plan=plan,
        amount=amount,
        budget_line=line,
        commune=commune,
        phase=phase if phase is not None else (line.phase if line else None),
        **defaults,
    )

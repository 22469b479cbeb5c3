"""Every date box of every form shows a date as dd/mm/yyyy, the way it is typed."""

import datetime
import importlib

import pytest
from django import forms

from isotrack.forms import DateInput

FORM_MODULES = [
    "rollout.forms.tracking",
    "rollout.forms.enrolment",
    "rollout.forms.plans",
    "rollout.forms.budgets",
    "rollout.forms.areas",
    "notifications.forms",
    "imports.forms",
]


def date_fields():
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for form in vars(module).values():
            if isinstance(form, type) and issubclass(form, forms.BaseForm) and form.__module__ == module_name:
                for name, field in form.base_fields.items():
                    if isinstance(field, forms.DateField):
                        yield pytest.param(field, id=f"{form.__name__}.{name}")


DATE_FIELDS = list(date_fields())


def test_the_forms_have_date_fields_to_check():
    assert len(DATE_FIELDS) >= 15


@pytest.mark.parametrize("field", DATE_FIELDS)
def test_every_date_field_shows_a_stored_date_as_dd_mm_yyyy(field):
    assert isinstance(field.widget, DateInput)
    assert 'value="02/04/2019"' in field.widget.render("day", datetime.date(2019, 4, 2))
    assert field.clean("02/04/2019") == datetime.date(2019, 4, 2)

"""Celery entry points for the rollout: thin, they call rollout.actions."""

from celery import shared_task
from django.utils import timezone

from accounts.system import system_user

from . import actions


@shared_task(name="rollout.end_abolished")
def end_abolished():
    """Daily: once an edition of the unit lists has ended, end the rollout of its abolished
    communes and provinces (rollout.actions.end_abolished); a day with nothing to do changes nothing."""
    enrolments, announcements, plans = actions.end_abolished(timezone.localdate(), by=system_user())
    return f"{enrolments} enrolments, {announcements} announcements, {plans} plans"

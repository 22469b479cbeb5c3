"""A demo-like rollout in two provinces: one digest per responsible person, then nothing twice."""

import datetime

from django.core import mail

from notifications.models import Digest, Notification
from rollout.models import Step

from .conftest import D, set_due

DAY = D(2018, 6, 1)


def days(n):
    return datetime.timedelta(days=n)


def test_demo_like_rollout_digest_per_person_nothing_twice_skipped_day_caught_up_once(
    run_job,
    lamdong_pilot,
    langson_plan,
    admin_user,
    no_role_user,
    dost_lamdong,
    dost_langson,
    officer_lamha,
    officer_dalat,
    leader_lamdong,
    leader_national,
):
    # Steps keep the due dates spread over each phase; one Lâm Hà step is 8 days from its deadline.
    extra = Step.objects.filter(
        enrolment__phase=lamdong_pilot, enrolment__commune__district__short_name="Lâm Hà", kind="documents"
    ).first()
    set_due([extra], DAY + days(8))
    responsible = [dost_lamdong, dost_langson, officer_lamha, officer_dalat, leader_lamdong]

    first = run_job(DAY)
    assert sorted(user.username for user, _items in first.digests) == sorted(u.username for u in responsible)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in responsible)
    for user in (admin_user, no_role_user, leader_national):
        assert not Notification.objects.filter(user=user).exists()
    sent = Notification.objects.count()

    again = run_job(DAY)
    assert again.digests == [] and Notification.objects.count() == sent and len(mail.outbox) == 5

    # DAY + 1 is skipped (the 7-day window of `extra` opens then); DAY + 2 tells it, once.
    mail.outbox.clear()
    caught_up = run_job(DAY + days(2))
    new = Notification.objects.filter(digest__day=DAY + days(2), item_key__startswith=f"step:{extra.pk}:")
    assert sorted(n.user.username for n in new) == ["dost_lamdong", "huyen_lamha"]
    assert {n.window for n in new} == {"lead-7"}
    assert len(mail.outbox) == len(caught_up.digests)
    run_job(DAY + days(2))
    run_job(DAY + days(3))
    assert Notification.objects.filter(item_key__startswith=f"step:{extra.pk}:").count() == 4
    assert Digest.objects.filter(user=dost_lamdong).count() <= 3

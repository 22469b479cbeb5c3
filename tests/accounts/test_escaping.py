"""User-supplied text renders as text everywhere: no markup from a plan title or evidence runs."""

import datetime

import pytest

from rollout import actions
from rollout.models import Consultant

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script>'


def test_script_in_user_text_is_escaped_on_every_page(client, dost_lamdong, lamdong_pilot):
    plan = lamdong_pilot.plan
    plan.title = SCRIPT
    plan.save()
    enrolment = lamdong_pilot.enrolments.first()
    consultant = Consultant.objects.create(province=plan.province, name=SCRIPT)
    enrolment.consultant = consultant
    enrolment.save()
    step = enrolment.steps.order_by("order").first()
    actions.record_step(step, done_on=datetime.date(2018, 3, 10), by=dost_lamdong, evidence=SCRIPT)
    client.force_login(dost_lamdong)
    for url in [
        f"/ke-hoach/{plan.pk}/",
        "/ke-hoach/",
        f"/xa/{enrolment.commune_id}/",
        "/xa/",
        f"/xa/?plan={plan.pk}",
        "/xac-nhan/",
    ]:
        page = client.get(url).content.decode()
        assert SCRIPT not in page, url
    assert "&lt;script&gt;" in client.get(f"/xa/{enrolment.commune_id}/").content.decode()

import datetime

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from provinces.models import Commune
from rollout import actions
from rollout.history import SHOWN
from rollout.choices import AnnouncementKind, InspectionResult, MaintenanceKind, PhaseKind, StandardVersion, StepKind
from tests.conftest import enrol_communes, make_phase, make_plan
from tests.files import PDF, upload

from .conftest import complete_all_steps

D = datetime.date


def page(commune):
    return reverse("rollout:commune_detail", args=[commune.pk])


def history_items(client, url):
    """Every change of the page's whole history, as (who, item) pairs, newest first."""
    history = client.get(url, {"lich-su": "all"}).context["history"]
    return [(moment.who, item) for moment in history.moments for item in moment.entries]


def test_page_requires_sign_in(client, lamdong_pilot):
    commune = lamdong_pilot.enrolments.first().commune
    assert client.get(page(commune)).status_code == 302


def test_page_shows_timeline_announcements_inspections_maintenance_and_history(client, dost_lamdong, lamdong_pilot):
    enrolment = complete_all_steps(lamdong_pilot.enrolments.order_by("commune__code").first(), dost_lamdong)
    announcement = actions.announce(
        enrolment, decision_number="125/QĐ-UBND", decided_on=D(2018, 10, 1), by=dost_lamdong
    )
    actions.record_inspection(
        enrolment,
        by=dost_lamdong,
        inspected_on=D(2019, 5, 6),
        result=InspectionResult.CORRECTIONS,
        corrective_action="Cập nhật quy trình cấp giấy phép xây dựng",
    )
    actions.record_maintenance(enrolment, kind=MaintenanceKind.INTERNAL_AUDIT, done_on=D(2019, 9, 9), by=dost_lamdong)
    actions.lapse(announcement, lapsed_on=D(2020, 1, 1), reason="Sáp nhập xã", by=dost_lamdong)
    client.force_login(dost_lamdong)
    html = client.get(page(enrolment.commune)).content.decode()
    for kind in StepKind:
        assert str(kind.label) in html
    assert "Biên bản số 1" in html  # evidence
    assert "Đã xác nhận" in html  # review state
    assert "125/QĐ-UBND" in html and "Hết hiệu lực từ" in html and "Sáp nhập xã" in html
    assert "Cập nhật quy trình cấp giấy phép xây dựng" in html and "06/07/2019" in html  # 2 months to correct
    assert "Đánh giá nội bộ hằng năm" in html
    # history: who, field, old → new
    items = [item for _who, item in history_items(client, page(enrolment.commune))]
    review_changes = [c for item in items for c in item.changes if c[0] == "xác nhận"]
    assert ("xác nhận", "Chờ huyện xác nhận", "Đã xác nhận") in review_changes
    assert any(c == ("hết hiệu lực từ", "—", "01/01/2020") for item in items for c in item.changes)


def test_history_shows_who_changed_what(client, dost_lamdong, lamdong_pilot):
    enrolment = lamdong_pilot.enrolments.order_by("commune__code").first()
    client.force_login(dost_lamdong)
    client.post(
        reverse("rollout:enrolment_edit", args=[enrolment.pk]),
        {
            "version": enrolment.version,
            "procedures_in_scope": 40,
            "procedures_total": 100,
            "standard_version": "2015",
        },
    )
    who = next(
        who
        for who, item in history_items(client, page(enrolment.commune))
        if ("số TTHC trong phạm vi", "100", "40") in item.changes
    )
    assert who == "dost_lamdong"


def test_district_officer_gets_404_on_another_districts_commune(client, officer_lamha, lamdong_pilot, da_lat, lam_ha):
    client.force_login(officer_lamha)
    dalat = lamdong_pilot.enrolments.filter(commune__district=da_lat).first().commune
    lamha = lamdong_pilot.enrolments.filter(commune__district=lam_ha).first().commune
    assert client.get(page(dalat)).status_code == 404
    response = client.get(page(lamha))
    assert response.status_code == 200
    assert "Ghi nhận công bố" not in response.content.decode()  # read and review only


def test_dost_langson_gets_404_on_a_lamdong_commune(client, dost_langson, lamdong_pilot):
    client.force_login(dost_langson)
    assert client.get(page(lamdong_pilot.enrolments.first().commune)).status_code == 404


def test_commune_without_enrolment_renders(client, dost_lamdong, lam_ha):
    client.force_login(dost_lamdong)
    response = client.get(page(Commune.objects.filter(district=lam_ha).first()))
    assert response.status_code == 200
    assert "chưa tham gia kế hoạch nào" in response.content.decode()


def _busy_commune(commune, phase, later_phase, by):
    """An enrolment with every step recorded and reviewed, announcements, inspections,
    maintenance, and edits; and a second enrolment in a later plan."""
    enrolment = complete_all_steps(
        enrol_communes(phase, [commune], procedures_total=100, procedures_in_scope=50)[0], by
    )
    first = actions.record_announcement(
        enrolment, by=by, decision_number="1/QĐ", decided_on=D(2018, 10, 1), procedures_in_scope=50
    )
    actions.record_announcement(
        enrolment,
        by=by,
        kind=AnnouncementKind.REANNOUNCEMENT,
        decision_number="2/QĐ",
        decided_on=D(2019, 3, 1),
        procedures_in_scope=80,
    )
    actions.lapse(first, lapsed_on=D(2019, 3, 1), reason="Thay đổi phạm vi", by=by)
    for year in (2019, 2020, 2021):
        actions.record_inspection(
            enrolment,
            by=by,
            inspected_on=D(year, 5, 6),
            result=InspectionResult.CORRECTIONS,
            corrective_action="Khắc phục",
            corrective_done_on=D(year, 6, 1),
        )
        actions.record_maintenance(enrolment, kind=MaintenanceKind.MANAGEMENT_REVIEW, done_on=D(year, 9, 9), by=by)
    for record in [
        *enrolment.steps.all(),
        *enrolment.announcements.all(),
        *enrolment.inspections.all(),
        *enrolment.maintenance.all(),
    ]:
        actions.attach_document(record, uploaded=upload("bien-ban.pdf", PDF), by=by)
    enrolment.refresh_from_db()
    actions.update_enrolment(enrolment, version=enrolment.version, by=by, procedures_total=120)
    enrol_communes(later_phase, [commune])
    return enrolment


def test_page_query_count_does_not_grow_with_records(client, dost_lamdong, lamdong_pilot, lam_dong, lam_ha):
    later = make_phase(
        make_plan(
            lam_dong,
            number="9/KH-UBND",
            issued_on=D(2021, 1, 1),
            starts_on=D(2021, 1, 1),
            ends_on=D(2022, 12, 31),
            target_date=D(2022, 12, 31),
            standard_version=StandardVersion.ISO_2015,
        ),
        1,
        PhaseKind.MAINTENANCE,
    )
    quiet, busy = (
        Commune.objects.filter(district=lam_ha)
        .exclude(pk__in=lamdong_pilot.enrolments.values("commune"))
        .order_by("code")[:2]
    )
    # One recorded step each, so both pages look up the names of the users in their history.
    quiet_enrolment = enrol_communes(lamdong_pilot, [quiet])[0]
    actions.record_step(quiet_enrolment.steps.get(kind=StepKind.SURVEY), done_on=D(2018, 3, 5), by=dost_lamdong)
    _busy_commune(busy, lamdong_pilot, later, dost_lamdong)
    client.force_login(dost_lamdong)
    client.get(page(quiet))  # the first page after signing in writes the session and counts the inbox
    counts, built_pages = {}, {}
    for commune in (quiet, busy):
        for query in ({}, {"lich-su": "all"}):  # the newest changes, and the whole history
            for clear in (True, False):  # built, then from the cache
                if clear:
                    cache.clear()
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(page(commune), query)
                assert response.status_code == 200
                counts[commune.pk, bool(query), clear] = len(captured)
                if clear:
                    built_pages[commune.pk, bool(query)] = response
    print("commune page queries", counts)
    history = built_pages[busy.pk, True].context["history"]
    assert history.total > SHOWN and len(history.moments) == history.total
    built = [n for (_pk, _all, clear), n in counts.items() if clear]
    cached = [n for (_pk, _all, clear), n in counts.items() if not clear]
    # The history looks up the names its shown entries mention (users, a consultant): one
    # query per kind, so pages may differ by one, never by the size of the history.
    assert max(built) <= PAGE_QUERIES[0] and max(built) - min(built) <= 1, counts
    assert set(cached) == {PAGE_QUERIES[1]}, counts


# Built: every page's session, user and data version (the user's roles are kept under it), then
# the commune; its enrolments with their steps, announcements, inspections and maintenance, the
# step template its history names, the period rules and legal changes its upkeep follows, where it
# went in the 2025 reorganisation, the evidence files of its records, the change history (one query
# per history table, one per kind of object the changes name). Kept: the session, the user and the
# version (a page kept for the user's scope is one that scope opened: the commune is not looked up).
PAGE_QUERIES = [22, 3]

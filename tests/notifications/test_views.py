import datetime

import pytest
from django.urls import reverse

from notifications.models import Digest, Notification, NotificationPreference

from .conftest import D


@pytest.fixture
def notes(dost_lamdong, officer_lamha):
    def make(user, n, url="/xa/1/"):
        digest = Digest.objects.get_or_create(user=user, day=D(2018, 6, 1))[0]
        return [
            Notification.objects.create(
                user=user,
                digest=digest,
                item_key=f"step:{i}:2018-06-10",
                window="lead-14",
                section="step_due",
                title=f"Đào tạo nhận thức — Xã số {i}",
                detail="Hạn 10/06/2018, còn 9 ngày",
                group="Xã",
                url=url,
            )
            for i in range(n)
        ]

    return make(dost_lamdong, 3), make(officer_lamha, 1)


def test_inbox_requires_sign_in(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


def test_inbox_lists_only_the_users_own_notifications_and_the_header_counts_unread(client, notes, dost_lamdong):
    client.force_login(dost_lamdong)
    response = client.get(reverse("notifications:inbox"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("Đào tạo nhận thức — Xã số") == 3
    assert response.context["unread_notifications"] == 3
    assert 'badge bg-warning text-dark">3<' in body


def test_opening_a_notification_marks_it_read_and_goes_to_the_item(client, notes, dost_lamdong):
    mine, _theirs = notes
    client.force_login(dost_lamdong)
    response = client.post(reverse("notifications:open", args=[mine[0].pk]))
    assert response.status_code == 302 and response["Location"] == "/xa/1/"
    mine[0].refresh_from_db()
    assert mine[0].read_at is not None
    assert client.get(reverse("notifications:inbox")).context["unread_notifications"] == 2


def test_the_header_count_is_kept_in_the_session_until_it_is_refreshed(client, notes, dost_lamdong):
    """Reminders arrive once a day: the count shown on every page is counted once per refresh of
    the session, not on each page, and the inbox always counts afresh."""
    import datetime as dt

    import time_machine
    from django.conf import settings
    from django.utils import timezone

    client.force_login(dost_lamdong)
    page = reverse("rollout:plan_list")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert client.get(page).context["unread_notifications"] == 3
        Notification.objects.filter(user=dost_lamdong).update(read_at=timezone.now())  # read elsewhere
        assert client.get(page).context["unread_notifications"] == 3
    with time_machine.travel(start + dt.timedelta(seconds=settings.SESSION_REFRESH_SECONDS), tick=False):
        assert client.get(page).context["unread_notifications"] == 0
        Notification.objects.filter(user=dost_lamdong).update(read_at=None)
        assert client.get(reverse("notifications:inbox")).context["unread_notifications"] == 3
        assert client.get(page).context["unread_notifications"] == 3


def test_someone_elses_notification_is_not_found(client, notes, dost_lamdong):
    _mine, theirs = notes
    client.force_login(dost_lamdong)
    assert client.post(reverse("notifications:open", args=[theirs[0].pk])).status_code == 404
    theirs[0].refresh_from_db()
    assert theirs[0].read_at is None


def test_mark_all_read_touches_only_the_users_notifications(client, notes, dost_lamdong, officer_lamha):
    client.force_login(dost_lamdong)
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(user=dost_lamdong).unread().exists()
    assert Notification.objects.filter(user=officer_lamha).unread().count() == 1
    assert list(client.get(reverse("notifications:inbox") + "?unread=1").context["page"].object_list) == []


def test_preferences_page_turns_email_off(client, dost_lamdong):
    client.force_login(dost_lamdong)
    url = reverse("notifications:preferences")
    assert client.get(url).status_code == 200
    response = client.post(url, {})  # unchecked box
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=dost_lamdong).email_enabled is False
    client.post(url, {"email_enabled": "on"})
    assert NotificationPreference.objects.get(user=dost_lamdong).email_enabled is True


def test_inbox_query_count_does_not_grow_with_notifications(client, dost_lamdong, django_assert_max_num_queries):
    digest = Digest.objects.create(user=dost_lamdong, day=D(2018, 6, 1))
    client.force_login(dost_lamdong)
    for size in (5, 45):
        Notification.objects.bulk_create(
            Notification(
                user=dost_lamdong,
                digest=digest,
                item_key=f"step:{size}:{i}",
                window="lead-7",
                section="step_due",
                title="Bước",
                url="/xa/1/",
            )
            for i in range(size)
        )
        with django_assert_max_num_queries(10):
            assert client.get(reverse("notifications:inbox")).status_code == 200


def test_user_without_role_sees_an_empty_inbox(client, no_role_user):
    client.force_login(no_role_user)
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200 and "Chưa có thông báo nào" in response.content.decode()


def test_administrators_edit_the_national_rules_on_the_rules_page_the_admin_only_shows_them(client, admin_user):
    from notifications.models import ReminderRule

    client.force_login(admin_user)
    assert client.get("/admin/notifications/reminderrule/").status_code == 200
    assert client.get("/admin/notifications/remindersettings/1/change/").status_code == 200
    rule = ReminderRule.objects.get(kind="step", province=None)
    assert client.post(f"/admin/notifications/reminderrule/{rule.pk}/change/", {"lead_days": "3"}).status_code == 403
    url = reverse("rollout:rule_edit", args=["nhac-han", rule.pk])
    form = {
        "version": rule.version,
        "is_active": "on",
        "lead_days": "bảy",
        "overdue_every_days": "7",
        "escalate_after_days": "30",
        "legal_basis": "",
    }
    response = client.post(url, form)
    assert response.status_code == 200 and "Nhập các số ngày" in response.content.decode()
    form["lead_days"] = "10, 3"
    assert client.post(url, form).status_code == 302
    rule.refresh_from_db()
    assert rule.leads == [10, 3]
    assert rule.history.latest().history_user == admin_user


@pytest.mark.django_db
def test_the_rules_are_seeded_by_a_migration():
    from notifications.models import ReminderRule, ReminderSettings

    rules = {rule.kind: rule for rule in ReminderRule.objects.all()}
    assert rules["step"].leads == [14, 7, 1] and rules["step"].escalate_after_days == 30
    assert (rules["report_nov"].due_month, rules["report_dec"].due_month) == (11, 12)
    assert ReminderSettings.load().send_time == datetime.time(7, 0)

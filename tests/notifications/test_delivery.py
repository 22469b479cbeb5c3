"""One digest per person per day, by e-mail and in the inbox, sent once whatever happens."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction

from notifications import reminders
from notifications.delivery import deliver_digest
from notifications.models import Digest, Notification, NotificationPreference
from notifications.tasks import send_digest_email
from rollout.models import Step

from .conftest import D, set_due

TODAY = D(2018, 6, 1)


def days(n):
    return datetime.timedelta(days=n)


@pytest.fixture
def due_items(far_future, lam_ha, da_lat):
    """In Lâm Hà: one step 5 days ahead, one 40 days late; in Đà Lạt: one step 3 days ahead."""
    lamha = list(
        Step.objects.filter(enrolment__phase=far_future, enrolment__commune__district=lam_ha, kind="training").order_by(
            "pk"
        )
    )
    dalat = Step.objects.filter(enrolment__phase=far_future, enrolment__commune__district=da_lat, kind="survey").first()
    set_due([lamha[0]], TODAY + days(5))
    set_due([lamha[1]], TODAY - days(40))
    set_due([dalat], TODAY + days(3))
    return far_future


def mails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


@pytest.fixture
def people(dost_lamdong, officer_lamha, officer_dalat, leader_lamdong):
    return [dost_lamdong, officer_lamha, officer_dalat, leader_lamdong]


def test_each_person_gets_one_digest_listing_all_their_items_grouped_with_links(
    run_job, due_items, people, dost_lamdong, settings
):
    settings.SITE_URL = "https://isotrack.example.gov.vn"
    result = run_job(TODAY)
    assert sorted(len(items) for _user, items in result.digests) == [1, 1, 2, 3]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    message = mails_to(dost_lamdong)[0]
    assert "01/06/2018" in message.subject and "3 việc" in message.subject
    text = message.body
    assert text.index("Bước triển khai quá hạn") < text.index("Bước triển khai sắp đến hạn")
    commune_id = Step.objects.filter(due_on=TODAY + days(5)).get().enrolment.commune_id
    assert f"https://isotrack.example.gov.vn/xa/{commune_id}/" in text
    html = message.alternatives[0].content
    assert f'href="https://isotrack.example.gov.vn/xa/{commune_id}/"' in html
    assert Notification.objects.filter(user=dost_lamdong).count() == 3
    assert Digest.objects.get(user=dost_lamdong).emailed_at is not None


def test_no_digest_for_people_with_nothing_due(run_job, due_items, people, admin_user, no_role_user, dost_langson):
    run_job(TODAY)
    for user in (admin_user, no_role_user, dost_langson):
        assert not Digest.objects.filter(user=user).exists()
        assert not mails_to(user)


def test_email_turned_off_still_fills_the_inbox(run_job, due_items, people, officer_lamha):
    NotificationPreference.objects.create(user=officer_lamha, email_enabled=False)
    run_job(TODAY)
    assert Notification.objects.filter(user=officer_lamha).count() == 2
    assert mails_to(officer_lamha) == []
    assert len(mail.outbox) == 3


def test_user_without_address_gets_the_inbox_only(run_job, due_items, people, officer_dalat):
    officer_dalat.email = ""
    officer_dalat.save()
    run_job(TODAY)
    assert Notification.objects.filter(user=officer_dalat).count() == 1
    assert not Digest.objects.get(user=officer_dalat).email_wanted
    assert len(mail.outbox) == 3


def test_reminder_is_sent_once_when_job_runs_twice(run_job, due_items, people):
    run_job(TODAY)
    notifications, emails = Notification.objects.count(), len(mail.outbox)
    second = run_job(TODAY)
    assert second.digests == []
    assert Notification.objects.count() == notifications
    assert len(mail.outbox) == emails == 4


def test_run_rolled_back_leaves_nothing_and_the_next_run_sends_everything_once(
    run_job, due_items, people, django_capture_on_commit_callbacks
):
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            reminders.run_reminders(TODAY, deliver=deliver_digest)
            raise RuntimeError("the worker died before commit")
    assert Notification.objects.count() == 0 and Digest.objects.count() == 0 and mail.outbox == []
    run_job(TODAY)
    run_job(TODAY)
    assert len(mail.outbox) == 4
    assert Digest.objects.count() == 4


def test_crash_half_way_is_finished_by_the_next_run_without_duplicates(run_job, due_items, people, monkeypatch):
    monkeypatch.setattr(reminders, "DIGEST_BATCH", 1)  # one transaction per person
    real_build = reminders.build_digests
    calls = []

    def crash_on_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise MemoryError("worker killed")
        return real_build(*args, **kwargs)

    monkeypatch.setattr(reminders, "build_digests", crash_on_third)
    with pytest.raises(MemoryError):
        run_job(TODAY)
    assert Digest.objects.count() == 2
    monkeypatch.setattr(reminders, "build_digests", real_build)
    result = run_job(TODAY)
    assert len(result.digests) == 2
    assert Digest.objects.count() == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert Notification.objects.count() == 7


def test_email_owed_from_a_crash_after_commit_is_sent_by_the_next_run_once(run_job, due_items, people):
    run_job(TODAY, deliver=lambda digest_id: None)  # committed, but the e-mail never left
    assert mail.outbox == [] and Digest.objects.filter(emailed_at__isnull=True, email_wanted=True).count() == 4
    run_job(TODAY)
    run_job(TODAY + days(1))
    assert len(mail.outbox) == 4 + len(Digest.objects.filter(day=TODAY + days(1), email_wanted=True))
    assert Notification.objects.filter(digest__day=TODAY).count() == 7
    assert not Digest.objects.filter(emailed_at__isnull=True, email_wanted=True).exists()


def test_mail_failure_is_retried_with_backoff_and_sent_once(run_job, due_items, people, monkeypatch):
    run_job(TODAY, deliver=lambda digest_id: None)
    digest = Digest.objects.get(user__username="huyen_lamha")
    real_send = EmailBackend.send_messages
    failures = []

    def flaky(self, messages):
        if not failures:
            failures.append(1)
            raise smtplib.SMTPServerDisconnected("mail server went away")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    assert send_digest_email.retry_backoff and smtplib.SMTPException in send_digest_email.autoretry_for
    # Run eagerly, Celery applies the retry at once (a worker waits retry_backoff, doubling).
    result = send_digest_email.apply(args=[digest.pk])
    assert result.state == "SUCCESS" and result.result is True
    assert failures == [1]
    digest.refresh_from_db()
    assert digest.emailed_at is not None and digest.email_attempts == 2 and digest.last_error == ""
    assert send_digest_email.apply(args=[digest.pk]).result is False  # a duplicate delivery sends nothing
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(digest=digest).count() == 2


def test_digest_is_not_emailed_when_the_preference_is_turned_off_before_sending(
    run_job, due_items, people, officer_lamha
):
    run_job(TODAY, deliver=lambda digest_id: None)
    NotificationPreference.objects.create(user=officer_lamha, email_enabled=False)
    digest = Digest.objects.get(user=officer_lamha)
    assert deliver_digest(digest.pk) is False
    assert mails_to(officer_lamha) == []


def test_job_queues_emails_on_commit(due_items, people, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(send_digest_email, "delay", lambda digest_id: queued.append(digest_id))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reminders.run_reminders(TODAY)
    assert queued == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert sorted(queued) == sorted(Digest.objects.values_list("pk", flat=True))


def test_mail_failure_is_recorded_and_the_digest_stays_owed(run_job, due_items, people, monkeypatch):
    run_job(TODAY, deliver=lambda digest_id: None)
    digest = Digest.objects.get(user__username="huyen_lamha")

    def down(self, messages):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(EmailBackend, "send_messages", down)
    with pytest.raises(ConnectionRefusedError):
        deliver_digest(digest.pk)
    digest.refresh_from_db()
    assert digest.email_pending and digest.email_attempts == 1 and "no mail server" in digest.last_error


def test_an_email_handed_over_again_after_a_crash_carries_the_same_message_id(
    run_job, due_items, people, dost_lamdong, monkeypatch
):
    from notifications.models import ReminderRun

    real_save = Digest.save
    crashed = []

    def save_then_crash(self, *args, **kwargs):
        # The worker dies after the mail server took the e-mail, before it is marked sent.
        if "emailed_at" in (kwargs.get("update_fields") or ()) and self.user_id == dost_lamdong.pk and not crashed:
            crashed.append(self.pk)
            raise SystemExit("worker killed")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Digest, "save", save_then_crash)
    with pytest.raises(SystemExit):
        run_job(TODAY)
    first = mails_to(dost_lamdong)
    assert len(first) == 1 and Digest.objects.get(user=dost_lamdong).emailed_at is None

    run_job(TODAY)  # the next run hands the owed e-mail over again
    again = mails_to(dost_lamdong)
    assert len(again) == 2
    digest = Digest.objects.get(user=dost_lamdong)
    assert digest.emailed_at is not None
    message_ids = {m.message().get("Message-ID") for m in again}
    assert message_ids == {f"<digest-{digest.pk}-20180601@isotrack.local>"}
    # Everyone else's e-mail was sent once, each with its own Message-ID; the inbox once.
    others = [m for m in mail.outbox if m.to != [dost_lamdong.email]]
    assert len(others) == 3 and len({m.message().get("Message-ID") for m in others}) == 3
    assert Notification.objects.filter(user=dost_lamdong).count() == 3
    run = ReminderRun.objects.get(day=TODAY)
    assert (run.digests, run.notifications) == (4, 7)


def test_the_day_record_counts_digests_committed_before_a_crash(run_job, due_items, people, monkeypatch):
    from notifications.models import ReminderRun

    monkeypatch.setattr(reminders, "DIGEST_BATCH", 1)
    real_build = reminders.build_digests
    calls = []

    def crash_on_the_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ConnectionError("database went away")
        return real_build(*args, **kwargs)

    monkeypatch.setattr(reminders, "build_digests", crash_on_the_second_batch)
    with pytest.raises(ConnectionError):
        run_job(TODAY)
    run = ReminderRun.objects.get(day=TODAY)
    built = Digest.objects.filter(day=TODAY)
    assert built.count() == 1 and run.finished_at is None
    assert (run.digests, run.notifications) == (1, built.get().item_count)

    monkeypatch.setattr(reminders, "build_digests", real_build)
    run_job(TODAY)
    run.refresh_from_db()
    assert run.digests == Digest.objects.filter(day=TODAY).count() == 4
    assert run.notifications == Notification.objects.filter(digest__day=TODAY).count() == 7

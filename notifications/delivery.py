"""Sending a digest's e-mail: once, under a row lock on the digest, marked sent in the same
transaction; a failure is counted on the digest and raised for the Celery task to retry."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .digests import wants_email
from .models import Digest
from .rendering import digest_message


def enqueue_email(digest_id):
    from .tasks import send_digest_email

    send_digest_email.delay(digest_id)


def deliver_digest(digest_id):
    """Send a digest's e-mail once. The digest row stays locked while sending, and is marked
    sent in the same transaction: a second delivery waits, then finds it sent. A failure
    is counted and raised again, for the caller (the Celery task) to retry later."""
    try:
        with transaction.atomic():
            digest = (
                Digest.objects.select_for_update(of=("self",))
                .select_related("user", "user__notification_preference")
                .get(pk=digest_id)
            )
            if not digest.email_pending:
                return False
            if not wants_email(digest.user):
                digest.email_wanted = False  # preference changed, or no address any more
                digest.save(update_fields=["email_wanted"])
                return False
            notifications = list(digest.notifications.all())
            digest_message(digest, notifications).send()
            digest.emailed_at = timezone.now()
            digest.email_attempts += 1
            digest.last_error = ""
            digest.save(update_fields=["emailed_at", "email_attempts", "last_error"])
            return True
    except Digest.DoesNotExist:
        return False
    except Exception as error:
        Digest.objects.filter(pk=digest_id).update(
            email_attempts=F("email_attempts") + 1, last_error=repr(error)[:1000]
        )
        raise

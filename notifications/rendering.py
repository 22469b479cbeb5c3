"""The reminders' words: each item's deadline and link, resolved once per run, and the digest's
e-mail (subject, text and HTML bodies, its one Message-ID)."""

import datetime
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from .choices import SECTION_ORDER, Section


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


# -- texts and links, once per run ------------------------------------------------------------
def _pattern(name):
    """A link pattern with "{pk}" in it, reversed once per run rather than once per item."""
    marker = 987654321
    return reverse(name, args=[marker]).replace(str(marker), "{pk}")


class Texts:
    """What every item's text needs, translated and resolved once per run."""

    def __init__(self, today):
        self.today = today
        self.late = _("Hạn {due}, quá hạn {days} ngày")
        self.due_today = _("Hạn hôm nay ({due})")
        self.ahead = _("Hạn {due}, còn {days} ngày")
        self.step_names = {}
        self.commune_pattern = _pattern("rollout:commune_detail")
        self.plan_pattern = _pattern("rollout:plan_detail")

    def step_name(self, name):
        """A step's name in the language of the run (the national steps' names are translated)."""
        if name not in self.step_names:
            self.step_names[name] = _(name) if name else ""
        return self.step_names[name]

    def when(self, due_on):
        days_left = (due_on - self.today).days
        due = due_on.strftime("%d/%m/%Y")
        if days_left < 0:
            return self.late.format(due=due, days=-days_left)
        if days_left == 0:
            return self.due_today.format(due=due)
        return self.ahead.format(due=due, days=days_left)

    def commune_path(self, commune_id):
        return self.commune_pattern.format(pk=commune_id)

    def plan_path(self, plan_id):
        return self.plan_pattern.format(pk=plan_id)


# -- the digest's e-mail ----------------------------------------------------------------------
def digest_sections(notifications):
    """The digest's entries grouped for reading: sections in a fixed order, then by commune."""
    sections = {}
    for note in sorted(notifications, key=lambda n: (SECTION_ORDER[n.section], n.group, n.due_on or datetime.date.min)):
        groups = sections.setdefault(note.section, {})
        groups.setdefault(note.group, []).append(note)
    labels = dict(Section.choices)
    return [
        {
            "label": labels[section],
            "count": sum(len(items) for items in groups.values()),
            "groups": [{"name": name, "items": items} for name, items in groups.items()],
        }
        for section, groups in sections.items()
    ]


def digest_message_id(digest):
    """The one Message-ID of a digest's e-mail, whichever worker sends it and however often:
    an e-mail handed over again after a crash is the same message, and mail clients and
    servers that de-duplicate by Message-ID show it once."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "isotrack.local"
    return f"<digest-{digest.pk}-{digest.day:%Y%m%d}@{domain}>"


def digest_message(digest, notifications):
    user = digest.user
    context = {
        "user": user,
        "day": digest.day,
        "count": len(notifications),
        "sections": digest_sections(notifications),
        "site_url": settings.SITE_URL.rstrip("/"),
        "inbox_url": absolute(reverse("notifications:inbox")),
        "preferences_url": absolute(reverse("notifications:preferences")),
    }
    subject = settings.EMAIL_SUBJECT_PREFIX + render_to_string("emails/reminder_digest_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("emails/reminder_digest.txt", context),
        to=[user.email],
        headers={"Message-ID": digest_message_id(digest)},
    )
    message.attach_alternative(render_to_string("emails/reminder_digest.html", context), "text/html")
    return message

"""Keeping a signed-in session alive without writing it back on every request.

Sessions end after SESSION_IDLE_SECONDS without activity. Saving the session on every request
(SESSION_SAVE_EVERY_REQUEST) would do that exactly, at the price of a write on every page; here a
signed-in session is saved only once SESSION_REFRESH_SECONDS have passed since it was last saved,
and it lives SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS + SESSION_REFRESH_SECONDS from that save.
So a user is signed out between SESSION_IDLE_SECONDS and SESSION_COOKIE_AGE after the last request,
never sooner.

A value that every page shows but that changes rarely (the header's count of unread
notifications) is kept in the session the same way (`session_cached`): computed on the first page
after each refresh, and forgotten at once (`forget`) by the views that change it for this user.
"""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY

SAVED_AT = "_saved_at"
CACHED = "_cached:"


class KeepAliveMiddleware:
    """Mark a signed-in session modified (so SessionMiddleware saves it, extending its life)
    when SESSION_REFRESH_SECONDS have passed since it was last saved by this middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:  # reads a session only when the browser sent one
            now = int(time.time())
            if now - session.get(SAVED_AT, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[SAVED_AT] = now
                for key in [key for key in session.keys() if key.startswith(CACHED)]:
                    del session[key]
        return self.get_response(request)


def session_cached(request, name, compute):
    """`compute()`, kept in the signed-in user's session until the session is next refreshed
    (at most SESSION_REFRESH_SECONDS) or `forget` is called."""
    session = request.session
    key = CACHED + name
    if key not in session:
        session[key] = compute()
    return session[key]


def forget(request, name):
    """Drop a value kept by `session_cached`: the next page computes it again."""
    request.session.pop(CACHED + name, None)

"""Who is calling: a personal API token in `Authorization: Bearer isk_…`.

The token authenticates as its user, with the user's scope (accounts.scope), whatever the
token's kind; api.permissions refuses writes to a read-only token. A revoked token, a token of
a deactivated user or a token that does not match its digest is refused on the request that
carries it. The last use (time and address) is written at most once a minute per token, so a
reporting system polling the API does not write a row per request.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from isotrack.http import client_address

from .models import TOKEN_TAG, ApiToken

LAST_USE_EVERY = datetime.timedelta(minutes=1)


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        keyword, _sep, token = header.partition(" ")
        if keyword.lower() != self.keyword.lower():
            return None  # not ours: the session, or nobody
        token = token.strip()
        tag, _sep, rest = token.partition("_")
        prefix = rest.partition("_")[0]
        if tag != TOKEN_TAG or not prefix:
            raise exceptions.AuthenticationFailed(_("Khóa API không đúng dạng “isk_…”."))
        row = ApiToken.objects.live().select_related("user").filter(prefix=prefix).first()
        if row is None or not row.matches(token):
            raise exceptions.AuthenticationFailed(_("Khóa API không đúng hoặc đã bị thu hồi."))
        if not row.user.is_active:
            raise exceptions.AuthenticationFailed(_("Tài khoản của khóa API này đã bị khóa."))
        self._note_use(row, request)
        return row.user, row

    def authenticate_header(self, request):
        return f'{self.keyword} realm="isotrack"'

    @staticmethod
    def _note_use(row, request):
        now = timezone.now()
        if row.last_used_at is not None and now - row.last_used_at < LAST_USE_EVERY:
            return
        # Conditional: of several requests in the same minute, one writes.
        ApiToken.objects.filter(pk=row.pk, last_used_at=row.last_used_at).update(
            last_used_at=now, last_used_ip=client_address(request) or None
        )

"""What a caller may do with an object it can see.

Objects outside the user's scope are never found (every queryset is `visible_to(user)`), so
they answer 404 before any of this runs. For an object in scope, a change is refused (403)
when the token is read-only, even for DOST staff, and when the user's role may not make it
(the same rule as the pages: accounts.scope).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions

from accounts.scope import scope_of

from .models import ApiToken


class ReadOnlyToken(exceptions.PermissionDenied):
    default_detail = _("Khóa API này chỉ được đọc: tạo một khóa “đọc và ghi” để thay đổi dữ liệu.")
    default_code = "read_only_token"


class NotYourRole(exceptions.PermissionDenied):
    default_detail = _("Vai trò của bạn không được thực hiện thay đổi này trên đối tượng này.")
    default_code = "permission_denied"


def may_write(request):
    """A read-only token refuses every change, whatever its user may do."""
    if isinstance(request.auth, ApiToken) and request.auth.read_only:
        raise ReadOnlyToken()


class ChangeInScope(permissions.BasePermission):
    """Reads for any signed-in caller (the queryset already holds the scope); a change on an
    object needs a token that may write and the view's `may_change(scope, obj)`."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        may_write(request)
        if not view.may_change(scope_of(request.user), obj):
            raise NotYourRole()
        return True

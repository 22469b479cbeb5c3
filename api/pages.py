"""The API's pages: a user's own API tokens (create, see, revoke) and the API documentation."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rollout.actions import AlreadySubmitted
from rollout.views.saving import apply_errors

from . import actions
from .forms import TokenForm
from .models import ApiToken
from .throttling import describe


@never_cache
@login_required
def tokens(request):
    """The user's API tokens: create one (shown once, on this response only), see when and from
    where each was last used, revoke one."""
    created = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row, secret = actions.create_token(
                request.user, name=form.cleaned_data["name"], kind=form.cleaned_data["kind"], key=form.submission_key
            )
        except AlreadySubmitted:
            messages.info(request, _("Biểu mẫu này đã được gửi: khóa đã được tạo và chỉ hiện một lần."))
            return redirect("api_pages:tokens")
        except ValidationError as error:
            apply_errors(form, error)
        else:
            created = {"row": row, "secret": secret}
            form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": ApiToken.objects.filter(user=request.user).order_by(
                F("revoked_at").desc(nulls_first=True), "-created_at"
            ),
            "docs_url": reverse("api_pages:docs"),
            "read_rate": describe(settings.API_RATE_LIMITS["read"]),
            "write_rate": describe(settings.API_RATE_LIMITS["write"]),
        },
    )


@login_required
@require_POST
def token_revoke(request, pk):
    row = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    actions.revoke_token(row, by=request.user)
    messages.success(request, _("Đã thu hồi khóa “{name}”: từ bây giờ nó không dùng được nữa.").format(name=row.name))
    return redirect("api_pages:tokens")


@login_required
def docs(request):
    """The API's documentation (Swagger UI, served from the project's static files): the schema
    of /api/schema/, read with the signed-in session; "Authorize" takes a token."""
    return render(request, "api/docs.html", {"schema_url": reverse("api:schema")})

"""The district's review of recorded steps: the queue, confirm/return, and the returned list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.scope import scope_of
from isotrack.http import local_path

from .. import actions
from ..choices import ReviewState
from ..forms.tracking import ReviewForm
from ..models import Step
from ..querysets import reviewable_steps

PAGE_SIZE = 50
# The review queue's rows and what their cards and messages name.
QUEUE_RELATED = (
    "enrolment__commune__district",
    "enrolment__commune__area",
    "enrolment__commune__province",
    "enrolment__plan",
)


def _queue_page(request, state, template):
    if not scope_of(request.user).can_review_anything:
        raise PermissionDenied
    steps = reviewable_steps(request.user)
    counts = steps.aggregate(
        awaiting=Count("pk", filter=Q(review_state=ReviewState.AWAITING)),
        returned=Count("pk", filter=Q(review_state=ReviewState.RETURNED)),
    )
    rows = (
        steps.filter(review_state=state)
        .select_related(*QUEUE_RELATED, "recorded_by", "reviewed_by")
        .order_by("recorded_at", "pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {"page": page, "counts": counts, "form": ReviewForm()})


@login_required
def review_queue(request):
    """Steps awaiting review in the user's area: a district officer's district, DOST staff's
    province, everything for an administrator."""
    return _queue_page(request, ReviewState.AWAITING, "rollout/review_queue.html")


@login_required
def returned_steps(request):
    """Steps the district returned, with its comment, for DOST staff to correct."""
    return _queue_page(request, ReviewState.RETURNED, "rollout/returned_steps.html")


@login_required
@require_POST
def review_step(request, pk):
    step = get_object_or_404(Step.objects.visible_to(request.user).active().select_related(*QUEUE_RELATED), pk=pk)
    commune = step.enrolment.commune
    if not scope_of(request.user).can_review(step.enrolment.plan.province_id, commune.district_id, commune.area_id):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    next_url = local_path(request, request.POST.get("next"))
    if form.is_valid():
        confirm = form.cleaned_data["decision"] == "confirm"
        try:
            actions.review_step(step, by=request.user, confirm=confirm, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            messages.error(
                request,
                _("{commune} — {step}: {error}").format(
                    commune=commune.label, step=step.get_kind_display(), error=" ".join(error.messages)
                ),
            )
        else:
            text = _("Đã xác nhận") if confirm else _("Đã trả lại")
            messages.success(
                request,
                _("{action}: {commune} — {step}.").format(
                    action=text, commune=commune.label, step=step.get_kind_display()
                ),
            )
    else:
        messages.error(request, _("Yêu cầu không hợp lệ."))
    return redirect(next_url or "rollout:review_queue")


@login_required
@require_POST
def confirm_shown(request):
    """Confirm at once the steps the review queue listed (the page the user was looking at):
    one request instead of one per step on a phone. Each is confirmed by actions.review_step,
    all in one transaction; a step someone else reviewed since the page was shown is left as
    it is and named, never an error page. Steps the user may not review are ignored."""
    if not scope_of(request.user).can_review_anything:
        raise PermissionDenied
    listed = [int(value) for value in request.POST.getlist("step") if value.isdigit()]
    steps = (
        reviewable_steps(request.user)
        .filter(pk__in=listed)
        .select_related(*QUEUE_RELATED)
        .order_by("recorded_at", "pk")
    )
    confirmed, skipped = 0, []
    with transaction.atomic():
        for step in steps:
            try:
                with transaction.atomic():
                    actions.review_step(step, by=request.user, confirm=True)
            except ValidationError:
                skipped.append(step)
            else:
                confirmed += 1
    if confirmed:
        messages.success(
            request,
            ngettext("Đã xác nhận {count} bước.", "Đã xác nhận {count} bước.", confirmed).format(count=confirmed),
        )
    if skipped:
        messages.warning(
            request,
            _("Không xác nhận {count} bước vì đã có người xem xét trước: {steps}.").format(
                count=len(skipped),
                steps="; ".join(
                    "{} — {}".format(step.enrolment.commune.label, step.get_kind_display()) for step in skipped
                ),
            ),
        )
    if not confirmed and not skipped:
        messages.info(request, _("Không có bước nào để xác nhận."))
    return redirect(local_path(request, request.POST.get("next")) or "rollout:review_queue")

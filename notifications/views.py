"""The inbox of reminders and the notification preferences page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from isotrack.sessions import forget

from . import actions
from .context_processors import UNREAD
from .forms import PreferenceForm
from .models import Notification, NotificationPreference

PAGE_SIZE = 50


@login_required
def inbox(request):
    forget(request, UNREAD)  # the inbox counts afresh what it lists
    notifications = Notification.objects.filter(user=request.user)
    if request.GET.get("unread") == "1":
        notifications = notifications.unread()
    page = Paginator(notifications.for_inbox(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "only_unread": request.GET.get("unread") == "1",
        },
    )


@login_required
@require_POST
def open_notification(request, pk):
    """Mark one entry read and go to the page where its item is handled."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if actions.mark_read(notification):
        forget(request, UNREAD)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "notifications:inbox"
    return redirect(target)


@login_required
@require_POST
def mark_all_read(request):
    count = actions.mark_all_read(request.user)
    forget(request, UNREAD)
    messages.success(request, _("Đã đánh dấu {count} thông báo là đã đọc.").format(count=count))
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    preference = NotificationPreference.objects.filter(user=request.user).first() or NotificationPreference(
        user=request.user
    )
    form = PreferenceForm(request.POST if request.method == "POST" else None, instance=preference)
    if request.method == "POST" and form.is_valid():
        actions.set_preferences(request.user, email_enabled=form.cleaned_data["email_enabled"])
        messages.success(request, _("Đã lưu cài đặt nhận thông báo."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})

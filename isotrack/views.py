from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from accounts.scope import scope_of


@login_required
def home(request):
    """Each role's home page: the national overview for administrators and national
    leadership, the province dashboard for DOST staff and provincial leadership, the
    district page for district officers; a user without an area is told so."""
    scope = scope_of(request.user)
    if scope.sees_everything:
        return redirect("reports:national")
    if scope.read_provinces:
        return redirect("reports:dashboard")
    if scope.areas:
        return redirect("reports:area", pk=min(scope.areas))
    if scope.districts:
        return redirect("reports:district", pk=min(scope.districts))
    return render(request, "home.html", {"scope": scope})


@never_cache
def healthz(request):
    """For the load balancer and the container health check: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        from api.problems import not_found

        return not_found(request)  # a client of the API reads problems, not pages
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    # No context processors: the database or the session may be what failed.
    return HttpResponse(loader.get_template("500.html").render(), status=500)

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("tai-khoan/", include("accounts.urls")),
    path("", include("rollout.urls")),
    path("", include("notifications.urls")),
    path("", include("reports.urls")),
    path("", include("imports.urls")),
    path("api/", include("api.urls")),
    path("", include("api.page_urls")),
    path("admin/", admin.site.urls),
]

handler403 = "isotrack.views.permission_denied"
handler404 = "isotrack.views.page_not_found"
handler500 = "isotrack.views.server_error"

"""The project's URLs plus stand-ins for the commune list and page (built on another branch),
so the plan page's drill-down links can be checked. Real patterns, when present, come first
and win."""
from django.http import HttpResponse
from django.urls import include, path

from isotrack import urls as project_urls
from rollout.urls import urlpatterns as rollout_patterns


def stand_in(request, pk=None):
    return HttpResponse()


commune_pages = [path("xa/", stand_in, name="commune_list"), path("xa/<int:pk>/", stand_in, name="commune_detail")]
urlpatterns = [p for p in project_urls.urlpatterns if getattr(p, "app_name", None) != "rollout"] + [
    path("", include((rollout_patterns + commune_pages, "rollout"))),
]

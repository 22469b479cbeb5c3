from django.urls import path

from . import pages

app_name = "api_pages"
urlpatterns = [
    path("tai-khoan/api/", pages.tokens, name="tokens"),
    path("tai-khoan/api/<int:pk>/thu-hoi/", pages.token_revoke, name="token_revoke"),
    path("api/tai-lieu/", pages.docs, name="docs"),
]

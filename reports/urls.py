from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("tong-quan/", views.dashboard, name="dashboard"),
    path("tong-quan/huyen/<int:pk>/", views.district, name="district"),
    path("tong-quan/khu-vuc/<int:pk>/", views.area, name="area"),
    path("tong-quan/toan-quoc/", views.national, name="national"),
    path("bao-cao/", views.yearly_current, name="yearly_current"),
    path("bao-cao/<int:year>/", views.yearly, name="yearly"),
]

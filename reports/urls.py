from django.urls import path

from . import report_views, views

app_name = "reports"
urlpatterns = [
    path("tong-quan/", views.dashboard, name="dashboard"),
    path("tong-quan/huyen/<int:pk>/", views.district, name="district"),
    path("tong-quan/khu-vuc/<int:pk>/", views.area, name="area"),
    path("tong-quan/toan-quoc/", views.national, name="national"),
    path("bao-cao/", views.yearly_current, name="yearly_current"),
    path("bao-cao/<int:year>/", views.yearly, name="yearly"),
    path("bao-cao/<int:year>/tong-hop-thang-11/", report_views.november, name="november"),
    path("bao-cao/<int:year>/lap/", report_views.report_prepare, name="report_prepare"),
    path("bao-cao/van-ban/<int:pk>/", report_views.report_detail, name="report_detail"),
    path("bao-cao/van-ban/<int:pk>/sua/", report_views.report_edit, name="report_edit"),
    path("bao-cao/van-ban/<int:pk>/lay-lai-so-lieu/", report_views.report_refresh, name="report_refresh"),
    path("bao-cao/van-ban/<int:pk>/nop/", report_views.report_submit, name="report_submit"),
    path("bao-cao/van-ban/<int:pk>/dinh-chinh/", report_views.report_correct, name="report_correct"),
    path("bao-cao/van-ban/<int:pk>/word/", report_views.report_word, name="report_word"),
]

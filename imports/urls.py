from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("nhap-excel/", views.batch_list, name="batch_list"),
    path("nhap-excel/mau.xlsx", views.batch_template, name="batch_template"),
    path("nhap-excel/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("nhap-excel/<int:pk>/tien-do/", views.batch_progress, name="batch_progress"),
    path("nhap-excel/<int:pk>/ghep-cot/", views.batch_mapping, name="batch_mapping"),
    path("nhap-excel/<int:pk>/chon-xa/", views.batch_choose, name="batch_choose"),
    path("nhap-excel/<int:pk>/doc-lai/", views.batch_reread, name="batch_reread"),
    path("nhap-excel/<int:pk>/xac-nhan/", views.batch_confirm, name="batch_confirm"),
]

from django.urls import path

from .views import communes, recording, review

app_name = "rollout"
urlpatterns = [
    # tracking: commune list and page, recording, district review
    path("xa/", communes.commune_list, name="commune_list"),
    path("xa/xuat-excel/", communes.commune_export, name="commune_export"),
    path("xa/<int:pk>/", communes.commune_detail, name="commune_detail"),
    path("xa/buoc/<int:pk>/", recording.step_record, name="step_record"),
    path("xa/tham-gia/<int:pk>/sua/", recording.enrolment_edit, name="enrolment_edit"),
    path("xa/tham-gia/<int:pk>/cong-bo/", recording.announcement_create, name="announcement_create"),
    path("xa/cong-bo/<int:pk>/het-hieu-luc/", recording.announcement_lapse, name="announcement_lapse"),
    path("xa/tham-gia/<int:pk>/kiem-tra/", recording.inspection_create, name="inspection_create"),
    path("xa/tham-gia/<int:pk>/kiem-tra/<int:inspection_pk>/", recording.inspection_create, name="inspection_edit"),
    path("xa/tham-gia/<int:pk>/duy-tri/", recording.maintenance_create, name="maintenance_create"),
    path("xa/ghi-nhan-hang-loat/", recording.bulk_record, name="bulk_record"),
    path("xac-nhan/", review.review_queue, name="review_queue"),
    path("xac-nhan/tra-lai/", review.returned_steps, name="returned_steps"),
    path("xac-nhan/buoc/<int:pk>/", review.review_step, name="review_step"),
]

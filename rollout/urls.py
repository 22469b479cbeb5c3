from django.urls import path

from .views import areas, budgets, communes, documents, enrolment, plans, recording, review

app_name = "rollout"
urlpatterns = [
    # tracking: commune list and page, recording, district review
    path("xa/", communes.commune_list, name="commune_list"),
    path("xa/xuat-excel/", communes.commune_export, name="commune_export"),
    path("xa/<int:pk>/", communes.commune_detail, name="commune_detail"),
    path("xa/<int:pk>/ke-thua/", enrolment.carry_over, name="carry_over"),
    path("xa/buoc/<int:pk>/", recording.step_record, name="step_record"),
    path("xa/tham-gia/<int:pk>/sua/", recording.enrolment_edit, name="enrolment_edit"),
    path("xa/tham-gia/<int:pk>/cong-bo/", recording.announcement_create, name="announcement_create"),
    path("xa/cong-bo/<int:pk>/het-hieu-luc/", recording.announcement_lapse, name="announcement_lapse"),
    path("xa/cong-bo/<int:pk>/thong-bao-niem-yet/", recording.announcement_acts, name="announcement_acts"),
    path("xa/tham-gia/<int:pk>/kiem-tra/", recording.inspection_create, name="inspection_create"),
    path("xa/tham-gia/<int:pk>/kiem-tra/<int:inspection_pk>/", recording.inspection_create, name="inspection_edit"),
    path("xa/tham-gia/<int:pk>/duy-tri/", recording.maintenance_create, name="maintenance_create"),
    path("xa/ghi-nhan-hang-loat/", recording.bulk_record, name="bulk_record"),
    # Evidence files: attached to a record, opened only through the scope check
    path("xa/buoc/<int:pk>/tai-lieu/", documents.step_document, name="step_document"),
    path("xa/cong-bo/<int:pk>/tai-lieu/", documents.announcement_document, name="announcement_document"),
    path("xa/kiem-tra/<int:pk>/tai-lieu/", documents.inspection_document, name="inspection_document"),
    path("xa/duy-tri/<int:pk>/tai-lieu/", documents.maintenance_document, name="maintenance_document"),
    path("khoan-chi/<int:pk>/tai-lieu/", documents.expenditure_document, name="expenditure_document"),
    path("tai-lieu/<int:pk>/", documents.document_file, name="document_file"),
    path("tai-lieu/<int:pk>/luu-tru/", documents.document_archive, name="document_archive"),
    path("xac-nhan/", review.review_queue, name="review_queue"),
    path("xac-nhan/tra-lai/", review.returned_steps, name="returned_steps"),
    path("xac-nhan/buoc/<int:pk>/", review.review_step, name="review_step"),
    # Plans and phases
    path("ke-hoach/", plans.plan_list, name="plan_list"),
    path("ke-hoach/them/", plans.plan_create, name="plan_create"),
    path("ke-hoach/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("ke-hoach/<int:pk>/sua/", plans.plan_edit, name="plan_edit"),
    path("ke-hoach/<int:pk>/dong/", plans.plan_close, name="plan_close"),
    path("ke-hoach/<int:pk>/luu-tru/", plans.plan_archive, name="plan_archive"),
    path("giai-doan/<int:pk>/luu-tru/", plans.phase_archive, name="phase_archive"),
    path("ke-hoach/<int:pk>/tu-van/<int:consultant_pk>/sua/", plans.consultant_edit, name="consultant_edit"),
    path("xa/tham-gia/<int:pk>/rut/", recording.enrolment_withdraw, name="enrolment_withdraw"),
    path("ke-hoach/<int:pk>/mo-lai/", plans.plan_reopen, name="plan_reopen"),
    path("ke-hoach/<int:pk>/giai-doan/them/", plans.phase_create, name="phase_create"),
    path("giai-doan/<int:pk>/sua/", plans.phase_edit, name="phase_edit"),
    path("ke-hoach/<int:pk>/tu-van/them/", plans.consultant_create, name="consultant_create"),
    # Enrolment
    path("giai-doan/<int:pk>/them-xa/", enrolment.enrol, name="enrol"),
    path("ke-hoach/<int:pk>/xa-tham-gia/", enrolment.enrolment_list, name="enrolment_list"),
    path("ke-hoach/<int:pk>/xa-tham-gia/giao-tu-van/", enrolment.assign_consultant, name="assign_consultant"),
    path("ke-hoach/<int:pk>/xa-tham-gia/chuyen-giai-doan/", enrolment.move_enrolments, name="move_enrolments"),
    # Review areas of a province of today
    path("khu-vuc/", areas.area_list, name="area_list"),
    path("khu-vuc/them/", areas.area_create, name="area_create"),
    path("khu-vuc/tu-huyen-cu/", areas.areas_from_districts, name="areas_from_districts"),
    path("khu-vuc/<int:pk>/sua/", areas.area_edit, name="area_edit"),
    # Budgets
    path("ke-hoach/<int:pk>/du-toan/them/", budgets.budget_line_create, name="budget_line_create"),
    path("du-toan/<int:pk>/sua/", budgets.budget_line_edit, name="budget_line_edit"),
    path("du-toan/<int:pk>/luu-tru/", budgets.budget_line_archive, name="budget_line_archive"),
    path("ke-hoach/<int:pk>/khoan-chi/them/", budgets.expenditure_create, name="expenditure_create"),
    path("khoan-chi/<int:pk>/sua/", budgets.expenditure_edit, name="expenditure_edit"),
    path("khoan-chi/<int:pk>/luu-tru/", budgets.expenditure_archive, name="expenditure_archive"),
]

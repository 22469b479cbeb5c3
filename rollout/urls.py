from django.urls import path

from .views import budgets, enrolment, plans

app_name = "rollout"
urlpatterns = [
    # Plans and phases
    path("ke-hoach/", plans.plan_list, name="plan_list"),
    path("ke-hoach/them/", plans.plan_create, name="plan_create"),
    path("ke-hoach/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("ke-hoach/<int:pk>/sua/", plans.plan_edit, name="plan_edit"),
    path("ke-hoach/<int:pk>/giai-doan/them/", plans.phase_create, name="phase_create"),
    path("giai-doan/<int:pk>/sua/", plans.phase_edit, name="phase_edit"),
    path("ke-hoach/<int:pk>/tu-van/them/", plans.consultant_create, name="consultant_create"),
    # Enrolment
    path("giai-doan/<int:pk>/them-xa/", enrolment.enrol, name="enrol"),
    path("ke-hoach/<int:pk>/xa-tham-gia/", enrolment.enrolment_list, name="enrolment_list"),
    path("ke-hoach/<int:pk>/xa-tham-gia/giao-tu-van/", enrolment.assign_consultant, name="assign_consultant"),
    path("ke-hoach/<int:pk>/xa-tham-gia/chuyen-giai-doan/", enrolment.move_enrolments, name="move_enrolments"),
    # Budgets
    path("ke-hoach/<int:pk>/du-toan/them/", budgets.budget_line_create, name="budget_line_create"),
    path("du-toan/<int:pk>/sua/", budgets.budget_line_edit, name="budget_line_edit"),
    path("du-toan/<int:pk>/luu-tru/", budgets.budget_line_archive, name="budget_line_archive"),
    path("ke-hoach/<int:pk>/khoan-chi/them/", budgets.expenditure_create, name="expenditure_create"),
    path("khoan-chi/<int:pk>/sua/", budgets.expenditure_edit, name="expenditure_edit"),
    path("khoan-chi/<int:pk>/luu-tru/", budgets.expenditure_archive, name="expenditure_archive"),
]

"""/api/: the versioned API (/api/v1/) and its OpenAPI schema in JSON (/api/schema/)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False
router.register("provinces", views.ProvinceViewSet, basename="province")
router.register("districts", views.DistrictViewSet, basename="district")
router.register("areas", views.AreaViewSet, basename="area")
router.register("communes", views.CommuneViewSet, basename="commune")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("phases", views.PhaseViewSet, basename="phase")
router.register("budget-lines", views.BudgetLineViewSet, basename="budget-line")
router.register("expenditures", views.ExpenditureViewSet, basename="expenditure")
router.register("enrolments", views.EnrolmentViewSet, basename="enrolment")
router.register("steps", views.StepViewSet, basename="step")
router.register("announcements", views.AnnouncementViewSet, basename="announcement")
router.register("inspections", views.InspectionViewSet, basename="inspection")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/reports/dashboard/", views.DashboardView.as_view(), name="report-dashboard"),
    path("v1/reports/yearly/<int:year>/", views.YearlyView.as_view(), name="report-yearly"),
    path("schema/", SpectacularJSONAPIView.as_view(), name="schema"),
]

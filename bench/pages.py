"""What the benchmark measures: pages by URL name, with the user who opens them (signed in with
a session, or for the API with a personal token: `"token": True`).

A page whose URL name does not reverse (its app is not there yet) is reported as not present.
`url_name` may list alternative names and `args` alternative arguments, tried in order; `{name}` placeholders are filled from the dataset
(see bench.run.targets). `budget_ms` is the median server time product.md allows;
`same_queries_as` names the same view for the same role over a smaller area (Lâm Đồng's 141
communes against Thanh Hóa's 549), whose query count must be the same.
"""
from .dataset import NATIONAL_LEADER, dost_username, leader_username, officer_username

LAM_DONG = "68"  # 141 communes
LAM_HA = "676"
THANH_HOA = "38"  # the largest province of the pre-2025 list: 549 communes

PAGES = [
    {"key": "healthz_anon", "label": "/healthz/ (floor, anonymous)", "url_name": "healthz", "user": None},
    {"key": "healthz", "label": "/healthz/ (floor, signed in)", "url_name": "healthz",
     "user": dost_username(LAM_DONG), "floor": True},
    {"key": "dashboard", "label": "Province dashboard (Lâm Đồng, leadership)", "url_name": "reports:dashboard",
     "query": [("province", "{lam_dong}")], "user": leader_username(LAM_DONG), "budget_ms": 50, "load": True},
    {"key": "dashboard_big", "label": "Province dashboard (Thanh Hóa, leadership)", "url_name": "reports:dashboard",
     "query": [("province", "{thanh_hoa}")], "user": leader_username(THANH_HOA), "budget_ms": 50,
     "same_queries_as": "dashboard"},
    {"key": "national", "label": "National overview (63 provinces)", "url_name": ["reports:national", "reports:national_overview", "reports:overview"],
     "user": NATIONAL_LEADER, "budget_ms": 150},
    {"key": "commune_list", "label": "Commune list, unfiltered (national, 10,051)", "url_name": "rollout:commune_list",
     "user": NATIONAL_LEADER, "budget_ms": 50, "load": True},
    {"key": "commune_list_dost", "label": "Commune list, unfiltered (DOST Lâm Đồng)", "url_name": "rollout:commune_list",
     "user": dost_username(LAM_DONG), "budget_ms": 50},
    {"key": "commune_list_dost_big", "label": "Commune list, unfiltered (DOST Thanh Hóa)",
     "url_name": "rollout:commune_list", "user": dost_username(THANH_HOA), "budget_ms": 50,
     "same_queries_as": "commune_list_dost"},
    {"key": "commune_list_filtered", "label": "Commune list, province + status", "url_name": "rollout:commune_list",
     "query": [("province", "{lam_dong}"), ("status", "building"), ("status", "applying")],
     "user": NATIONAL_LEADER, "budget_ms": 50},
    {"key": "commune_list_search", "label": "Commune list, search q=lam", "url_name": "rollout:commune_list",
     "query": [("q", "lam")], "user": NATIONAL_LEADER, "budget_ms": 50},
    {"key": "commune_detail", "label": "Commune page (announced, with history)", "url_name": "rollout:commune_detail",
     "args": [["{commune}"]], "user": dost_username(LAM_DONG)},
    {"key": "plan_detail", "label": "Plan page (Lâm Đồng)", "url_name": "rollout:plan_detail",
     "args": [["{plan}"]], "user": dost_username(LAM_DONG)},
    {"key": "district", "label": "District page (Lâm Hà officer)", "url_name": ["reports:district", "reports:district_page", "rollout:district"],
     "args": [["{lam_ha}"], []], "query_if_no_args": [("district", "{lam_ha}")], "user": officer_username(LAM_HA)},
    # The API (/api/v1/), called with a read-only token as a reporting system would.
    {"key": "api_root", "label": "API root (token, floor of the API)", "url_name": "api:api-root",
     "user": dost_username(LAM_DONG), "token": True},
    {"key": "api_enrolments", "label": "API enrolments, first page (national)", "url_name": "api:enrolment-list",
     "user": NATIONAL_LEADER, "token": True, "budget_ms": 50},
    {"key": "api_enrolments_filtered", "label": "API enrolments, province + status", "url_name": "api:enrolment-list",
     "query": [("province", "{lam_dong}"), ("status", "building"), ("status", "applying")],
     "user": NATIONAL_LEADER, "token": True, "budget_ms": 50},
    {"key": "api_communes_dost", "label": "API communes with status (DOST Lâm Đồng)", "url_name": "api:commune-list",
     "user": dost_username(LAM_DONG), "token": True, "budget_ms": 50},
    {"key": "api_communes_dost_big", "label": "API communes with status (DOST Thanh Hóa)",
     "url_name": "api:commune-list", "user": dost_username(THANH_HOA), "token": True, "budget_ms": 50,
     "same_queries_as": "api_communes_dost"},
    {"key": "api_steps", "label": "API steps, first page (national)", "url_name": "api:step-list",
     "user": NATIONAL_LEADER, "token": True, "budget_ms": 50},
    {"key": "api_dashboard", "label": "API dashboard figures (Lâm Đồng)", "url_name": "api:report-dashboard",
     "query": [("province", "{lam_dong}")], "user": leader_username(LAM_DONG), "token": True, "budget_ms": 50},
    {"key": "api_yearly", "label": "API yearly report figures (Lâm Đồng, last year)", "url_name": "api:report-yearly",
     "args": [["{last_year}"]], "query": [("province", "{lam_dong}")], "user": leader_username(LAM_DONG),
     "token": True},
    {"key": "commune_export", "label": "Excel export (Lâm Đồng communes)", "url_name": "rollout:commune_export",
     "query": [("province", "{lam_dong}")], "user": dost_username(LAM_DONG), "max_requests": 10, "assets": False},
    # product.md: "the national commune export (10,051 rows) ≤ 5 s".
    {"key": "commune_export_national", "label": "Excel export (national, 10,051 communes)",
     "url_name": "rollout:commune_export", "user": NATIONAL_LEADER, "budget_ms": 5000, "max_requests": 5,
     "assets": False},
]

# Pages whose first load (HTML + CSS + JS + fonts, compressed as served) is measured,
# besides every present page above.
SIGN_IN_URL_NAME = "login"
FIRST_LOAD_BUDGET_BYTES = 200 * 1024
REMINDER_BUDGET_SECONDS = 5.0
# product.md: "an Excel import of 10,000 rows previewed ≤ 20 s".
IMPORT_BUDGET_SECONDS = 20.0

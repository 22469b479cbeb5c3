"""What the benchmark measures: the pages users meet today, by URL name, with the user who opens
them (signed in with a session, or for the API with a personal token: `"token": True`).

A page whose URL name does not reverse (its app is not there yet) is reported as not present.
`url_name` may list alternative names and `args` alternative arguments, tried in order;
`{name}` placeholders (in `args`, `query` and `user`) are filled from the dataset (see
bench.run.targets).

Targets (product.md, "Budgets"): `ratio` is the most a page's median server time may be, as a
multiple of the signed-in floor measured in the same run; `budget_ms` an absolute median for
the exports; every page at most MAX_QUERIES queries; `same_queries_as` names the same view
for the same role over a smaller area, whose query count must be the same.
"""

from .dataset import NATIONAL_LEADER, area_officer_username, dost_username, leader_username

LAM_DONG = "68"  # today's Lâm Đồng: 124 communes, formed from Lâm Đồng, Đắk Nông and Bình Thuận
# The largest province of today: Hồ Chí Minh City, 168 communes (Thanh Hóa 166, Hà Nội 126),
# formed from Hồ Chí Minh City, Bình Dương and Bà Rịa – Vũng Tàu.
LARGEST = "79"
LAM_HA = "Lâm Hà"  # a review area of today's Lâm Đồng, made from the former district

PAGES = [
    {"key": "healthz_anon", "label": "/healthz/ (floor, anonymous)", "url_name": "healthz", "user": None},
    {
        "key": "healthz",
        "label": "/healthz/ (floor, signed in)",
        "url_name": "healthz",
        "user": dost_username(LAM_DONG),
        "floor": True,
    },
    {
        "key": "dashboard",
        "label": "Province dashboard (Lâm Đồng, leadership)",
        "url_name": "reports:dashboard",
        "query": [("province", "{lam_dong}")],
        "user": leader_username(LAM_DONG),
        "ratio": 4,
        "load": True,
    },
    {
        "key": "dashboard_big",
        "label": "Province dashboard (Hồ Chí Minh City, largest, leadership)",
        "url_name": "reports:dashboard",
        "query": [("province", "{largest}")],
        "user": leader_username(LARGEST),
        "ratio": 4,
        "same_queries_as": "dashboard",
    },
    {
        "key": "national",
        "label": "National overview (34 provinces)",
        "url_name": "reports:national",
        "user": NATIONAL_LEADER,
        "ratio": 6,
    },
    {
        "key": "commune_list",
        "label": "Commune list, unfiltered (national, today's 3,321)",
        "url_name": "rollout:commune_list",
        "user": NATIONAL_LEADER,
        "ratio": 4,
        "load": True,
    },
    {
        "key": "commune_list_dost",
        "label": "Commune list, unfiltered (DOST Lâm Đồng)",
        "url_name": "rollout:commune_list",
        "user": dost_username(LAM_DONG),
        "ratio": 4,
    },
    {
        "key": "commune_list_dost_big",
        "label": "Commune list, unfiltered (DOST Hồ Chí Minh City)",
        "url_name": "rollout:commune_list",
        "user": dost_username(LARGEST),
        "ratio": 4,
        "same_queries_as": "commune_list_dost",
    },
    {
        "key": "commune_list_filtered",
        "label": "Commune list, province + status",
        "url_name": "rollout:commune_list",
        "query": [("province", "{lam_dong}"), ("status", "building"), ("status", "applying")],
        "user": NATIONAL_LEADER,
        "ratio": 4,
    },
    {
        "key": "commune_list_search",
        "label": "Commune list, search q=lam",
        "url_name": "rollout:commune_list",
        "query": [("q", "lam")],
        "user": NATIONAL_LEADER,
        "ratio": 4,
    },
    {
        "key": "commune_list_old",
        "label": "Commune list, before 01/07/2025 (national, 10,051)",
        "url_name": "rollout:commune_list",
        "query": [("edition", "truoc-2025")],
        "user": NATIONAL_LEADER,
        "ratio": 4,
    },
    {
        "key": "area",
        "label": "Review area page (Lâm Hà, its officer)",
        "url_name": "reports:area",
        "args": [["{lam_ha}"]],
        "user": "{lam_ha_officer}",
        "ratio": 3,
    },
    {
        "key": "commune_detail",
        "label": "Commune page (carried over, announced again)",
        "url_name": "rollout:commune_detail",
        "args": [["{commune}"]],
        "user": dost_username(LAM_DONG),
        "ratio": 3,
    },
    {
        "key": "plan_detail",
        "label": "Plan page (Lâm Đồng, 2026)",
        "url_name": "rollout:plan_detail",
        "args": [["{plan}"]],
        "user": dost_username(LAM_DONG),
    },
    # The API (/api/v1/), called with a read-only token as a reporting system would.
    {
        "key": "api_root",
        "label": "API root (token, floor of the API)",
        "url_name": "api:api-root",
        "user": dost_username(LAM_DONG),
        "token": True,
    },
    {
        "key": "api_enrolments",
        "label": "API enrolments, first page (national)",
        "url_name": "api:enrolment-list",
        "user": NATIONAL_LEADER,
        "token": True,
        "budget_ms": 50,
    },
    {
        "key": "api_enrolments_filtered",
        "label": "API enrolments, province + status",
        "url_name": "api:enrolment-list",
        "query": [("province", "{lam_dong}"), ("status", "building"), ("status", "applying")],
        "user": NATIONAL_LEADER,
        "token": True,
        "budget_ms": 50,
    },
    {
        "key": "api_communes_dost",
        "label": "API communes with status (DOST Lâm Đồng)",
        "url_name": "api:commune-list",
        "user": dost_username(LAM_DONG),
        "token": True,
        "budget_ms": 50,
    },
    {
        "key": "api_communes_dost_big",
        "label": "API communes with status (DOST Hồ Chí Minh City)",
        "url_name": "api:commune-list",
        "user": dost_username(LARGEST),
        "token": True,
        "budget_ms": 50,
        "same_queries_as": "api_communes_dost",
    },
    {
        "key": "api_steps",
        "label": "API steps, first page (national)",
        "url_name": "api:step-list",
        "user": NATIONAL_LEADER,
        "token": True,
        "budget_ms": 50,
    },
    {
        "key": "api_dashboard",
        "label": "API dashboard figures (Lâm Đồng)",
        "url_name": "api:report-dashboard",
        "query": [("province", "{lam_dong}")],
        "user": leader_username(LAM_DONG),
        "token": True,
        "budget_ms": 50,
    },
    {
        "key": "api_yearly",
        "label": "API yearly report figures (Lâm Đồng, last year)",
        "url_name": "api:report-yearly",
        "args": [["{last_year}"]],
        "query": [("province", "{lam_dong}")],
        "user": leader_username(LAM_DONG),
        "token": True,
    },
    {
        "key": "commune_export",
        "label": "Excel export (Lâm Đồng communes)",
        "url_name": "rollout:commune_export",
        "query": [("province", "{lam_dong}")],
        "user": dost_username(LAM_DONG),
        "max_requests": 10,
        "assets": False,
    },
    {
        "key": "commune_export_today",
        "label": "Excel export (national, today's 3,321 communes)",
        "url_name": "rollout:commune_export",
        "user": NATIONAL_LEADER,
        "max_requests": 5,
        "assets": False,
    },
    # product.md: "the national commune export (10,051 rows) ≤ 5 s".
    {
        "key": "commune_export_national",
        "label": "Excel export (national, 10,051 communes before 01/07/2025)",
        "url_name": "rollout:commune_export",
        "query": [("edition", "truoc-2025")],
        "user": NATIONAL_LEADER,
        "budget_ms": 5000,
        "max_requests": 5,
        "assets": False,
    },
]
AREA_OFFICER = area_officer_username(LAM_DONG, LAM_HA)

# Pages whose first load (HTML + CSS + JS + fonts, compressed as served) is measured,
# besides every present page above.
SIGN_IN_URL_NAME = "login"
FIRST_LOAD_BUDGET_BYTES = 100 * 1024
REMINDER_BUDGET_SECONDS = 2.0
# product.md: "an Excel import of 10,000 rows previewed ≤ 20 s".
IMPORT_BUDGET_SECONDS = 20.0
MAX_QUERIES = 10
# A dashboard's build without its cache (bench.run times reports.views.build_dashboard in process).
DASHBOARD_BUILD_BUDGET_MS = 50
# Throughput under load is measured at each of these numbers of concurrent clients; the last
# must serve no fewer requests a second than the first.
LOAD_CONCURRENCY = (8, 32)

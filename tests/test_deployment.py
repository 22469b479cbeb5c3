"""The production stack, checked by reading: no Docker engine runs where the tests do."""
from pathlib import Path

import pytest
import yaml
from django.contrib import admin
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]


def test_compose_file_defines_the_production_stack():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    assert "gunicorn" in str(services["web"]["command"]) and "migrate" in str(services["web"]["command"])
    assert "worker" in str(services["worker"]["command"]) and "beat" in str(services["beat"]["command"])
    for name in ("postgres", "redis", "web"):
        assert "healthcheck" in services[name], name
    assert services["web"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert compose.get("volumes"), "database data must live in a named volume"


@pytest.mark.django_db
@pytest.mark.parametrize("model", sorted(admin.site._registry, key=lambda m: m._meta.label),
                         ids=lambda m: m._meta.label)
def test_every_admin_changelist_opens(admin_client, model, lamdong_pilot):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["rollout_step", "rollout_enrolment"])
def test_admin_changelists_do_not_query_per_row(admin_client, lamdong_pilot, lam_ha, django_assert_max_num_queries,
                                               name):
    from provinces.models import Commune
    from tests.conftest import enrol_communes

    url = reverse(f"admin:{name}_changelist")
    with django_assert_max_num_queries(12):
        admin_client.get(url)
    already = lamdong_pilot.enrolments.values_list("commune", flat=True)
    enrol_communes(lamdong_pilot, Commune.objects.filter(district=lam_ha).exclude(pk__in=already)[:10])
    with django_assert_max_num_queries(12):
        admin_client.get(url)

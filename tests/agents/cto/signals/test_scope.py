"""How far a failure reaches, and in which environment."""

from __future__ import annotations

import pytest

from agents.cto.signals.facts import ScopeKind
from tests.agents.cto.alerts import signals


def kinds(title: str, message: str = "") -> set[ScopeKind]:
    return {s.kind for s in signals(title, message).scope}


@pytest.mark.parametrize(
    "title",
    [
        "Kinesis PutRecord errors 63% in us-east-1",
        "ap-southeast-2a: 41% of instances failing status checks",
        "europe-west2-a: cooling failure; zone unavailable",
        "Codespace create failure rate (East US)",
        "FKS etcd lost quorum in ORD",
        "Region OTP (Bucharest) offline",
        "EC2 instances in one availability zone unavailable",
        "Storage Write API error rate 27% (US multi-region)",
        "uploads failing in the EU region",
        "checkout 502s in region=fra1",
        "completions failing for users pinned to emea-2. Other regions green",
        "checkout failing for 40% of requests; region unavailable: Frankfurt",  # a second review's wordings
        "Region down: ap-south",
        "traffic shifted away from the overloaded region",
    ],
)
def test_a_region_zone_or_data_center_is_a_region(title: str):
    assert ScopeKind.REGION in kinds(title)


def test_a_three_letter_acronym_is_not_a_place():
    assert ScopeKind.REGION not in kinds("errors in API calls from CPU throttling", "in DNS")
    assert ScopeKind.REGION not in kinds("card auth approval 31%", "debit card purchases are declining at POS")
    assert ScopeKind.REGION not in kinds("admin portal check failing", "HTTP 503 from ALB, no healthy targets")
    assert ScopeKind.REGION in kinds("checkout errors 40%", "5xx in FRA only")
    assert ScopeKind.REGION in kinds("Edge 5xx at OTP: 100% of requests failing")  # Bucharest, a CDN location


@pytest.mark.parametrize(
    ("label", "production"),
    [
        ("production-eu", True),
        ("prod-us-east", True),
        ("us-prod-east", True),
        ("production_eu", True),
        ("gprd", True),
        ("pre-prod-eu", False),
        ("non-prod-eu", False),
        ("production-like", False),
        ("preprod", False),
        ("product-eu", False),
        ("production-staging", False),
        ("shadow-production-eu", False),
        ("loadtest-prod-copy", False),
        ("pre.prod.eu", False),
    ],
)
def test_a_team_s_spelling_of_production_is_production(label: str, production: bool):
    assert signals("x", environment=label).environment[0].production is production


@pytest.mark.parametrize(
    "title",
    [
        "Service Control crash-looping in all regions",
        "API requests 503 globally",
        "DNS resolution failing from all probe locations",
        "GET / returns 503 from 6 of 6 locations",
        "Pod restart count spiked on every node at 16:07 UTC",
        "workers crash-looping across all 40 hosts",
        "wallet 5xx ratio 0.97 over 5m, all 21 operating companies",
        "SSO failing for all tenants",
    ],
)
def test_everywhere_is_global(title: str):
    assert ScopeKind.GLOBAL in kinds(title)


@pytest.mark.parametrize(
    "title",
    [
        "SSO failing for all tenants on the eu-2 shard",
        "Login errors 30% for tenant acme; notified all tenants admins",
        "all 3 tenants on pod-7 failing",
        "paging all operators",
    ],
)
def test_all_tenants_of_a_part_or_the_people_told_is_not_everywhere(title: str):
    assert ScopeKind.GLOBAL not in kinds(title)


@pytest.mark.parametrize(
    "title",
    [
        "Tenant acme-corp: all requests rejected with 403",
        "login failures 12%, concentrated on a subset of orgs",
        "android 7.1.0 clients: all API calls failing",
        "EU customers cannot log in",
    ],
)
def test_a_tenant_version_platform_or_group_of_users_is_a_cohort(title: str):
    assert ScopeKind.COHORT in kinds(title)


def test_all_customers_or_a_company_s_users_are_not_a_cohort():
    assert ScopeKind.COHORT not in kinds("Dashboards fail to load for all customers")
    assert ScopeKind.COHORT not in kinds("Slack users cannot connect", "customers using the API see errors")


@pytest.mark.parametrize(
    "title",
    [
        "6PN private networking unreachable on host fra-w-77",
        "LVM2 operations hung on ord-w-412 for 5m",
        "CPU steal above 40% on 6 of 310 worker hosts",
        "A small number of Machines fail to boot",
        "flaps on 4 gateway hosts restarting in a loop",
        "ord-w-412: LVM2 commands stuck for five minutes",
        "fra-w-77: private 6PN network cannot be reached",
    ],
)
def test_one_host_or_a_small_part_of_the_fleet_is_few(title: str):
    assert ScopeKind.FEW in kinds(title)


@pytest.mark.parametrize(
    "title",
    [
        "us-east-1: 30% of DescribeInstances calls return 5xx",
        "us-gov-west-1: API errors",
        "checkout-api: errors 48%",
        "s3: bucket listing fails",
    ],
)
def test_a_region_or_a_service_named_first_is_not_one_host(title: str):
    assert ScopeKind.FEW not in kinds(title)


def test_without_a_label_the_service_name_or_the_text_names_a_non_production_environment():
    assert not signals("checkout 5xx 100%", environment=None, service="checkout-staging").environment[0].production
    assert not signals("[staging] checkout failing", environment=None).environment[0].production
    assert not signals("checkout failing", environment=None, service="checkout").environment


def test_the_environment_label_counts_unless_the_text_names_production_data():
    assert not signals("x", environment="staging").environment[0].production
    labelled_test = signals("Test run executed TRUNCATE on 31 tables of the production database", environment="test")
    assert [e.production for e in labelled_test.environment] == [False, True]
    assert labelled_test.environment[1].field == "title"


@pytest.mark.parametrize(
    "message",
    [
        "Sandbox cluster only; drill deliberately removes replicas. No production traffic.",
        "never touches production data",
    ],
)
def test_production_the_text_denies_does_not_override_a_non_production_label(message: str):
    environment = signals(
        "read-after-write mismatch on 38 of 500 probe partitions", message, environment="sandbox"
    ).environment
    assert [e.production for e in environment] == [False]


@pytest.mark.parametrize(
    ("title", "few"),
    [
        ("3/48 IAD edge hosts at 90% CPU", True),
        ("3 of 48 edge hosts at 90% CPU", True),
        ("40/48 edge hosts at 90% CPU", False),
        ("release 2026/11 deployed", False),
    ],
)
def test_a_small_part_written_with_a_slash_is_few(title: str, few: bool):
    assert (ScopeKind.FEW in kinds(title)) is few


def test_all_n_probe_locations_is_global_and_one_of_a_thousand_hosts_is_few():
    assert ScopeKind.GLOBAL in kinds("probe_success == 0 for 4m (all 6 probe locations)")
    assert ScopeKind.FEW in kinds("x", "1 of 1,180 hypervisors in fra1 affected; the rest healthy")
    assert ScopeKind.FEW not in kinds("x", "400 of 1,180 hypervisors in fra1 affected")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Devices detaching nationwide after the 02:42 change", ScopeKind.GLOBAL),
        ("registrations timing out in the Atlanta market", ScopeKind.REGION),
    ],
)
def test_a_country_and_a_market_are_read(text: str, kind: ScopeKind):
    assert kind in kinds(text)


def test_team_and_tool_acronyms_are_not_places():
    assert ScopeKind.REGION not in kinds("raised manually from NOC bridge; WAF role; IDS alert")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("probe_success == 0 on 6/6 canary apps from all probe sites", ScopeKind.GLOBAL),
        ("probe_success == 0 for every PHL target (git, hg, meta)", ScopeKind.GLOBAL),
        ("error ratio 0.83 across all serving cells", ScopeKind.GLOBAL),
        ("100% login failures on release android@2.26.0", ScopeKind.COHORT),
    ],
)
def test_everywhere_and_a_release_in_other_words(text: str, kind: ScopeKind):
    assert kind in kinds(text)


def test_a_state_or_an_area_named_in_capitals_is_not_a_place():
    assert ScopeKind.REGION not in kinds("pods stuck in the Pending state; errors in the Admin area")


def test_an_hbase_region_server_is_a_host_not_a_region():
    assert ScopeKind.REGION not in kinds(
        "Email send backlog", "HBase region server hbase-email-na1-17 write latency p99 4.8 s"
    )
    assert ScopeKind.REGION in kinds("[Triggered on {region:na1,segment:na1-c}] Email send queue age high")


@pytest.mark.parametrize(
    "title",
    [
        "HBase: region in transition on regionserver-4 for 20 minutes",
        "TiKV region unavailable on store 5",
        "One hot region on tikv-2 serving most checkout writes",
        "region split stuck for table orders",
    ],
)
def test_a_storage_engine_s_region_is_not_a_place(title: str):
    assert ScopeKind.REGION not in kinds(title)


def test_other_regions_failing_too_do_not_confine_it():
    assert ScopeKind.REGION not in kinds("checkout 502s; other regions serving 502s too")


def test_a_storage_array_s_host_name_is_not_a_region_code():
    read = signals("3PAR SYD-SAN-01: fibre channel port 1:2:3 link errors", "Alert on SYD-SAN-01: path degraded")
    assert [s.kind for s in read.scope if s.kind is ScopeKind.REGION] == []
    assert [s.name for s in signals("checkout 5xx on FRA-01 edge").scope if s.kind is ScopeKind.REGION] == ["FRA"]

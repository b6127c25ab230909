from datetime import UTC, datetime, timedelta

from agents.support.cohort import detect_cohort
from agents.support.facts import IncidentFacts, KnownAccount
from warroom.alerts.models import AffectedUser, Alert
from warroom.incidents.models import EndpointCount, Incident, IncidentStatus
from warroom.severity import Severity

T0 = datetime(2026, 11, 3, 2, 14, tzinfo=UTC)


def _facts(**overrides: object) -> IncidentFacts:
    fields: dict[str, object] = {
        "incident_id": 42,
        "title": "Checkout errors",
        "affected_thing": "checkout",
        "started_at": T0,
        "detected_at": T0,
        "users_affected": 3,
    }
    fields.update(overrides)
    return IncidentFacts.model_validate(fields)


def test_dominant_tag_values_describe_the_cohort_in_words() -> None:
    facts = _facts(
        tags={
            "browser": {"Chrome 120": 600, "Chrome 121": 150, "Firefox 119": 60, "Safari 17": 37},
            "region": {"us-east-1": 800, "eu-west-1": 47},
            "feature_flag": {"new-checkout": 820, "none": 27},
            "plan": {"pro": 500, "free": 347},
        }
    )

    cohort = detect_cohort(facts)

    assert cohort.description == "Chrome 120+ users in us-east-1 with the new-checkout flag"
    assert cohort.public_description == "Chrome 120+ users in the eastern US"
    assert [t.kind for t in cohort.traits] == ["browser", "region", "flag"]


def test_a_tag_value_below_the_dominance_share_is_not_part_of_the_description() -> None:
    cohort = detect_cohort(_facts(tags={"browser": {"Chrome": 70, "Safari": 30}}))

    assert cohort.description == "users"
    assert cohort.traits == []


def test_boolean_flag_tags_name_the_flag_only_when_mostly_on() -> None:
    on = detect_cohort(_facts(tags={"flag.new-checkout": {"true": 95, "false": 5}}))
    off = detect_cohort(_facts(tags={"flag.new-checkout": {"false": 95, "true": 5}}))

    assert on.description == "users with the new-checkout flag"
    assert off.description == "users"


def test_only_affected_users_are_recipients_deduplicated_and_normalised() -> None:
    facts = _facts(
        affected_users=[
            AffectedUser(id="u1", email="Ann@Example.com"),
            AffectedUser(id="u2", email="ann@example.com"),
            AffectedUser(id="u3", email="bob@example.org"),
            AffectedUser(id="u4"),
            AffectedUser(id="u5", email="not-an-address"),
        ],
        known_accounts=[KnownAccount(id="acme", name="Acme", contact_emails=["ops@acme.test"])],
    )

    cohort = detect_cohort(facts)

    assert cohort.recipients == ["ann@example.com", "bob@example.org"]
    assert "ops@acme.test" not in cohort.recipients


def test_only_enterprise_accounts_with_affected_users_are_in_the_cohort() -> None:
    acme = KnownAccount(id="acme", name="Acme Corp", contact_emails=["ops@acme.test"], sla_rca_days=5)
    globex = KnownAccount(id="globex", name="Globex", contact_emails=["it@globex.test"], sla_rca_days=3)
    facts = _facts(
        affected_users=[AffectedUser(id="u1", email="a@acme.test", account="ACME")],
        known_accounts=[acme, globex],
    )

    assert detect_cohort(facts).accounts == [acme]


def test_cohort_size_is_the_larger_of_the_count_and_the_known_users() -> None:
    users = [AffectedUser(id=f"u{n}") for n in range(5)]

    assert detect_cohort(_facts(users_affected=2, affected_users=users)).size == 5
    assert detect_cohort(_facts(users_affected=312, affected_users=users)).size == 312


def test_facts_from_an_incident_take_endpoints_tags_and_users_from_its_alerts() -> None:
    incident = Incident(
        id=7,
        title="POST /api/checkout 500",
        service="shop",
        dedup_key="k",
        source="sentry",
        status=IncidentStatus.INVESTIGATING,
        severity=Severity.P0,
        classification=None,
        opened_at=T0 + timedelta(minutes=1),
        first_seen=T0,
        last_seen=T0 + timedelta(minutes=3),
        event_count=847,
        alert_count=2,
        users_affected=1,
        endpoints=[EndpointCount(endpoint="/api/checkout", count=840)],
    )
    alerts = [
        Alert(
            source="sentry",
            delivery_key=f"d{n}",
            dedup_key="k",
            title="t",
            occurred_at=T0,
            event_count=count,
            tags={"browser": browser},
            user=AffectedUser(id=f"u{n}", email=f"u{n}@example.com"),
        )
        for n, (browser, count) in enumerate([("Chrome", 9), ("Safari", 1)])
    ]

    facts = IncidentFacts.from_incident(
        incident, affected_thing="checkout", alerts=alerts, affected_share=0.15, eta_minutes=30
    )

    assert facts.affected_thing == "checkout"
    assert facts.endpoints == ["/api/checkout"]
    assert facts.tags == {"browser": {"Chrome": 9, "Safari": 1}}
    assert facts.users_affected == 2
    assert facts.event_window_minutes == 3
    assert facts.detected_at == incident.opened_at


def test_the_public_description_names_a_place_and_drops_a_code_it_cannot_place() -> None:
    from agents.support.cohort import detect_cohort
    from tests.agents.support.test_drafts import checkout_p0

    eu = detect_cohort(checkout_p0(tags={"region": {"eu-west-1": 800, "us-east-1": 47}}))
    assert eu.public_description == "users in Europe"
    assert eu.description == "users in eu-west-1"  # the war room keeps the code
    odd = detect_cohort(checkout_p0(tags={"region": {"cell-42": 800}}))
    assert odd.public_description == "users" and "cell-42" in odd.description

"""The rules' first look: what it claims, what each claim cites, and which reading it leads with."""

from __future__ import annotations

from datetime import timedelta

from agents.cto.investigation.evidence import (
    ActionFact,
    AlertFact,
    BreadcrumbFact,
    Evidence,
    IncidentFact,
    OwnerFact,
    PastIncidentFact,
    RunbookSection,
    SeriesFact,
)
from agents.cto.investigation.first_look import first_look
from tests.agents.cto.investigation.conftest import START, event, issue, tag
from warroom.findings.models import Confidence, MadeBy


def _text(evidence: Evidence) -> str:
    finding = first_look(evidence)
    return "\n".join([finding.hypothesis, *(c.text for c in finding.claims)])


def test_every_claim_cites_only_evidence_the_tools_returned(evidence: Evidence) -> None:
    evidence = evidence.model_copy(
        update={
            "issue": issue(6),
            "event": event(),
            "tags": [tag("release", {"shop@2026.11.2": 97, "shop@2026.11.1": 3})],
        }
    )
    finding = first_look(evidence)
    known = evidence.summaries()
    assert finding.made_by is MadeBy.RULES
    assert finding.claims and all(c.citations and set(c.citations) <= set(known) for c in finding.claims)


def test_a_release_just_before_the_errors_leads_with_its_timing_and_concentration(evidence: Evidence) -> None:
    evidence = evidence.model_copy(
        update={
            "issue": issue(6),
            "event": event(),
            "tags": [tag("release", {"shop@2026.11.2": 97, "shop@2026.11.1": 3})],
        }
    )
    finding = first_look(evidence)
    assert finding.hypothesis.startswith("Release shop@2026.11.2, out 6 minutes before the errors began")
    assert finding.confidence is Confidence.MEDIUM
    timing = next(c for c in finding.claims if "first appeared in release" in c.text)
    assert "released at 01:54 UTC; the errors began 6 minutes after it" in timing.text
    assert timing.citations == ["sentry:issue:first_release", "sentry:issue:first_seen"]
    concentration = next(c for c in finding.claims if c.text.startswith("97%"))
    assert concentration.citations == ["sentry:tag:release:shop@2026.11.2"]
    frame = next(c for c in finding.claims if "raised in" in c.text)
    assert "create_order (shop/checkout/views.py:88)" in frame.text and "`total = cart.payment.amount`" in frame.text
    assert frame.citations == ["sentry:event:latest:exception", "sentry:event:latest:frame:1"]


def test_a_release_from_last_month_is_not_blamed(evidence: Evidence) -> None:
    evidence = evidence.model_copy(update={"issue": issue(60 * 24 * 30), "event": event()})
    finding = first_look(evidence)
    assert not finding.hypothesis.startswith("Release")
    assert any("unlikely trigger on its own" in c.text for c in finding.claims)


def test_a_failing_dependency_outweighs_a_release_an_hour_old(evidence: Evidence) -> None:
    timeout = event("ReadTimeout", "HTTPSConnectionPool(host='auth.card.example'): Read timed out. (read timeout=30)")
    evidence = evidence.model_copy(
        update={"issue": issue(50), "event": timeout, "tags": [tag("card_network", {"discover": 98, "visa": 2})]}
    )
    finding = first_look(evidence)
    assert finding.hypothesis.startswith(
        "A dependency is failing rather than our code, concentrated on card_network discover"
    )
    assert not any(check.startswith("Diff release") for check in finding.next_checks)


def test_a_dependency_error_right_after_a_release_still_blames_the_release(evidence: Evidence) -> None:
    timeout = event("QueryCanceled", "canceling statement due to statement timeout")
    evidence = evidence.model_copy(update={"issue": issue(1), "event": timeout})
    assert first_look(evidence).hypothesis.startswith("Release shop@2026.11.2, out 1 minute before")


def test_a_past_incident_with_open_action_items_is_named_as_a_repeat(evidence: Evidence) -> None:
    past = PastIncidentFact(
        citation="history:7",
        id="#7",
        title="Checkout certificate expired",
        cause="the rotation job never attached the renewed certificate to the load balancer",
        actions=[
            ActionFact(citation="history:7:action:3", title="Probe what the load balancer serves", status="open"),
            ActionFact(citation="history:7:action:4", title="Alert on rotation failures", status="done"),
        ],
        similarity=0.1,
    )
    finding = first_look(evidence.model_copy(update={"past": [past]}))
    assert finding.hypothesis.startswith("This looks like a repeat of #7 (the rotation job never attached")
    still_open = next(c for c in finding.claims if "still open" in c.text)
    assert still_open.citations == ["history:7:action:3"]


def test_a_faintly_similar_past_incident_with_nothing_open_is_left_out(evidence: Evidence) -> None:
    past = PastIncidentFact(
        citation="history:8", id="#8", title="Docker volume full", cause="old images", similarity=0.1
    )
    finding = first_look(evidence.model_copy(update={"past": [past]}))
    assert all("history:8" not in c.citations for c in finding.claims)


def test_the_runbook_section_sharing_the_evidence_s_words_is_cited(evidence: Evidence) -> None:
    sections = [
        RunbookSection(citation="runbook:deploys", heading="Deploys", text="Roll back with make rollback."),
        RunbookSection(
            citation="runbook:checkout-errors",
            heading="Checkout errors",
            text="Most checkout errors are a payment amount missing from the cart. Check the payment provider.",
        ),
    ]
    finding = first_look(evidence.model_copy(update={"event": event(), "runbook": sections}))
    cited = next(c for c in finding.claims if c.citations == ["runbook:checkout-errors"])
    assert cited.text.startswith("Runbook section 'Checkout errors' applies: Most checkout errors are a payment amount")


def test_loud_breadcrumbs_and_the_owner_of_the_top_frame_are_claimed(evidence: Evidence) -> None:
    crumbs = [
        BreadcrumbFact(citation="sentry:event:latest:breadcrumb:0", category="http", level="info", message="GET /cart"),
        BreadcrumbFact(
            citation="sentry:event:latest:breadcrumb:1",
            category="payment",
            level="warning",
            message="payment amount missing",
        ),
    ]
    owners = [OwnerFact(citation="codeowners:/shop/checkout/", pattern="/shop/checkout/", owners=["@acme/checkout"])]
    finding = first_look(
        evidence.model_copy(update={"event": event().model_copy(update={"breadcrumbs": crumbs}), "owners": owners})
    )
    cited = {c for claim in finding.claims for c in claim.citations}
    assert "sentry:event:latest:breadcrumb:1" in cited and "sentry:event:latest:breadcrumb:0" not in cited
    owner = next(c for c in finding.claims if c.citations == ["codeowners:/shop/checkout/"])
    assert "@acme/checkout" in owner.text


def test_a_metric_that_moved_before_the_others_is_where_to_start(evidence: Evidence) -> None:
    def series(name: str, minutes_before: int) -> SeriesFact:
        return SeriesFact(
            citation=f"prom:{name}",
            name=name,
            per_minute=True,
            baseline=1.0,
            changed_at=START - timedelta(minutes=minutes_before),
            peak=50.0,
            last=50.0,
        )

    evidence = evidence.model_copy(
        update={"series": [series("http_requests_total", 0), series("db_lock_waits_total", 6)]}
    )
    finding = first_look(evidence)
    assert finding.hypothesis.startswith(
        "db_lock_waits_total moved before the other series the alerts name, at 01:54 UTC"
    )
    assert any(
        c.citations == ["prom:db_lock_waits_total"] and "rose from 1 to 50 per minute" in c.text for c in finding.claims
    )


def test_with_only_an_alert_the_first_look_says_what_it_says_and_no_more(evidence: Evidence) -> None:
    evidence.alerts[0].sentry_issue = None
    finding = first_look(evidence)
    assert finding.hypothesis.startswith("No cause found in the evidence yet")
    assert [c.citations for c in finding.claims] == [["alert:1"]]


def test_an_error_only_an_incident_beside_this_one_reports_is_named_as_that_incidents_not_this_ones(
    evidence: Evidence,
) -> None:
    """An SSO lockout opened beside a checkout TypeError: the TypeError is not 'the errors' of the lockout."""
    lockout = AlertFact(
        citation="alert:848",
        incident_id=2,
        source="grafana",
        title="Customers locked out: SSO provider returns 500 on every callback",
        at=START,
    )
    beside = evidence.alerts[0].model_copy(
        update={"exception": "TypeError: Cannot read properties of undefined", "culprit": "shop.checkout.views"}
    )
    lockout_evidence = Evidence(
        incident=IncidentFact(id=2, title="Idp is failing", service="idp", first_seen=START, opened_at=START),
        alerts=[lockout, beside],
    )
    finding = first_look(lockout_evidence)
    assert not finding.hypothesis.startswith("The errors come from")
    assert "incident #1, which began beside it, reports TypeError" in finding.hypothesis
    [claim] = [c for c in finding.claims if "alert:1" in c.citations]
    assert claim.text.startswith("The Sentry alert of incident #1, which began beside this one, reports TypeError")

    summaries = lockout_evidence.summaries()
    assert summaries["alert:1"].endswith("(incident #1, began beside this one)")
    assert "incident #" not in summaries["alert:848"]

    own = lockout.model_copy(update={"source": "sentry", "exception": "OAuthError: callback 500"})
    finding = first_look(lockout_evidence.model_copy(update={"alerts": [own, beside]}))
    assert finding.hypothesis.startswith("The errors come from OAuthError: callback 500")

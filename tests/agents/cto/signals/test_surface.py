"""What is affected: read from service, endpoint and title, most specific first."""

from __future__ import annotations

import pytest

from agents.cto.signals.facts import SurfaceKind
from agents.cto.signals.surface import critical_word
from tests.agents.cto.alerts import signals
from warroom.settings import DEFAULT_CRITICAL_PATHS


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("payments-api", "payment"),
        ("authzd", "auth"),
        ("Web.AuthController.github_callback/2", "auth"),
        ("merchant sign-in", "signin"),
        ("/api/v9/auth/login", "auth"),
        ("orders", "order"),
        ("authors", None),
        ("cartography", None),
    ],
)
def test_critical_path_words_match_names_in_their_forms(name: str, word: str | None):
    assert critical_word(name, DEFAULT_CRITICAL_PATHS) == word


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({"title": "payments 5xx ratio 0.48", "service": "payments"}, SurfaceKind.REVENUE_ACCESS),
        ({"title": "Users cannot load Slack: boot errors 38%", "service": "webapp"}, SurfaceKind.REVENUE_ACCESS),
        ({"title": "reddit.com 5xx ratio 1.0 over 5m", "service": "frontend-svc"}, SurfaceKind.PRODUCT),
        ({"title": "All web and API requests fail", "service": "postgresql"}, SurfaceKind.PRODUCT),
        (
            {"title": "Nodes NotReady in all regions; web app and intake API unreachable", "service": "platform"},
            SurfaceKind.PRODUCT,
        ),
        ({"title": "panic: nil pointer; all web dynos restarting", "service": "app-worker"}, SurfaceKind.PRODUCT),
        ({"title": "22% failure rate", "service": "edge-cache"}, SurfaceKind.PRODUCT),
        ({"title": "thumbnail-renderer failing 100%", "service": "thumbnail-renderer"}, SurfaceKind.COSMETIC),
        ({"title": "audit log ingestion lag 42 minutes", "service": "audit-log"}, SurfaceKind.SECONDARY),
        ({"title": "PDF export worker down", "service": "reports"}, SurfaceKind.SECONDARY),
        ({"title": "nightly analytics ETL failed", "service": "billing"}, SurfaceKind.BATCH),
        ({"title": "Internal deploy of api-backend failing", "service": "deploys"}, SurfaceKind.INTERNAL),
        ({"title": "Copilot chat error rate 38%", "service": "copilot-chat"}, SurfaceKind.CORE),
    ],
)
def test_the_surface_is_read_from_the_alerts_names_and_words(fields: dict[str, str], kind: SurfaceKind):
    title = fields.pop("title")
    assert signals(title, **fields).surface.kind is kind


def test_a_cosmetic_component_outranks_the_critical_path_it_sits_on():
    found = signals("font files 404 on checkout page", service="checkout", endpoints=["/checkout/fonts.css"])
    assert found.surface.kind is SurfaceKind.COSMETIC


def test_an_endpoint_names_the_feature_behind_a_front_door_service():
    found = signals("OperationalError: table is full", service="web", endpoints=["/api/add"])
    assert (found.surface.kind, found.surface.name) == (SurfaceKind.CORE, "/api/add")


def test_a_service_merely_named_internal_yields_to_a_measured_customer_failure():
    found = signals("EC2 DescribeInstances 5xx 30%", service="internal-network")
    assert found.surface.kind is SurfaceKind.CORE
    assert signals("grafana down", service="grafana-internal").surface.kind is SurfaceKind.INTERNAL


@pytest.mark.parametrize(
    ("service", "kind"),
    [
        ("api", SurfaceKind.PRODUCT),
        ("core-api", SurfaceKind.PRODUCT),
        ("edge-cache", SurfaceKind.PRODUCT),
        ("gclb", SurfaceKind.PRODUCT),
        ("iplayer-api", SurfaceKind.CORE),
        ("kinesis-frontend", SurfaceKind.CORE),
    ],
)
def test_a_front_door_service_is_the_product_unless_its_name_names_a_feature(service: str, kind: SurfaceKind):
    assert signals("5xx ratio 0.3 over 5m", service=service).surface.kind is kind


@pytest.mark.parametrize(
    "title",
    [
        "Customers cannot complete purchases",
        "Players cannot join games",
        "card charges failing at the acquirer",
        "all impression bus processes crashed. Ad serving has stopped",
    ],
)
def test_a_revenue_or_access_path_is_read_from_what_people_cannot_do(title: str):
    assert signals(title, service="games").surface.kind is SurfaceKind.REVENUE_ACCESS


def test_an_internal_service_customers_depend_on_is_not_an_internal_tool():
    assert signals("internal service discovery failing; game joins fail").surface.kind is not SurfaceKind.INTERNAL
    assert signals("internal Grafana volume full").surface.kind is SurfaceKind.INTERNAL


def test_a_surface_guessed_from_a_service_name_is_weak():
    assert not signals("5xx 30%", service="web").surface.strong
    assert signals("login error ratio 91%", service="auth").surface.strong


@pytest.mark.parametrize(
    "title",
    ["Okta SAML assertions rejected for SSO sign-ins", "MFA codes not accepted", "trading halted on the exchange"],
)
def test_access_and_revenue_paths_by_other_names_are_read(title: str):
    assert signals(title, service="platform").surface.kind is SurfaceKind.REVENUE_ACCESS


def test_a_host_named_among_what_still_works_is_not_the_failing_surface():
    title = "marketing-site: 500s on /features and /pricing landing pages. github.com app, API and git unaffected"
    assert signals(title, service="marketing-site").surface.kind is SurfaceKind.SECONDARY
    assert signals("github.com returns 500 on every page").surface.kind is SurfaceKind.PRODUCT


@pytest.mark.parametrize(
    "title",
    [
        "Monitor is DOWN: Acme blog (https://www.acme.com/blog)",
        "[Triggered] Report export errors 12% https://app.datadoghq.com/monitors/123",
    ],
)
def test_a_link_in_a_title_names_no_public_host(title: str):
    """A URL is a page or a tool's link (a blog page, the monitor's own page): its host is not the product failing."""
    assert signals(title, service="reports").surface.kind is not SurfaceKind.PRODUCT


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Images and avatars fail to load in the web UI and apps", SurfaceKind.COSMETIC),
        ("attachment thumbnails missing on document pages", SurfaceKind.COSMETIC),
        ("Consumer not making progress", SurfaceKind.BATCH),
    ],
)
def test_a_cosmetic_part_or_a_queue_consumer_named_as_what_fails(text: str, kind: SurfaceKind):
    assert signals("x", text).surface.kind is kind


def test_a_machine_image_is_not_cosmetic():
    assert signals("x", "container images fail to load on new nodes").surface.kind is not SurfaceKind.COSMETIC


def test_a_cosmetic_part_in_prose_does_not_outrank_a_surface_the_alert_names():
    assert signals("the site is down for every request", "images fail to load").surface.kind is SurfaceKind.PRODUCT

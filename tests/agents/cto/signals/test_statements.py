"""What the alert says outright: impact statements, exposure and loss, customer reports."""

from __future__ import annotations

import pytest

from agents.cto.signals.facts import StatementKind
from tests.agents.cto.alerts import signals


def said(text: str) -> set[StatementKind]:
    return {s.kind for s in signals(text).statements}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("No customer impact.", StatementKind.NO_IMPACT),
        ("no customer-facing errors", StatementKind.NO_IMPACT),
        ("Customer traffic normal", StatementKind.NO_IMPACT),
        ("request latency and errors normal", StatementKind.NO_IMPACT),
        ("Pages still load and forms work", StatementKind.STILL_WORKS),
        ("Running hosted services unaffected", StatementKind.STILL_WORKS),
        ("Basecamp 3 effectively read-only", StatementKind.STILL_WORKS),
        ("End-user checks still green: SSO and MFA passing", StatementKind.STILL_WORKS),
        ("customer-facing synthetics still passing", StatementKind.STILL_WORKS),
        ("Other regions healthy", StatementKind.OTHERS_FINE),
        ("Dashboards fail to load for all customers", StatementKind.ALL_AFFECTED),
        ("Messages not being delivered for all users", StatementKind.ALL_AFFECTED),
        ("Major outage: all services affected", StatementKind.ALL_AFFECTED),
        ("Users cannot load Slack", StatementKind.ALL_AFFECTED),
        ("Merchants cannot process card payments", StatementKind.ALL_AFFECTED),
        ("All 5.2.0 users affected", StatementKind.ALL_AFFECTED),
        ("Normal API traffic does not route through gateways", StatementKind.OFF_PATH),
        ("Replace before Chrome 70 ships; nothing fails today", StatementKind.AT_RISK_ONLY),
        ("Ecto.InvalidChangesetError: name can't be blank", StatementKind.INPUT_SPECIFIC),
    ],
)
def test_explicit_impact_statements_are_read(text: str, kind: StatementKind):
    assert kind in said(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("conversation history returned for a different user", "exposed"),
        ("database restored from a snapshot owned by another organization", "exposed"),
        ("edge responses contain uninitialized memory (other sites' cookies, auth tokens)", "exposed"),
        ("S3 bucket holding database backups allows anonymous reads", "exposed"),
        ("account 8812 could read documents of account 1097", "exposed"),
        ("OAuth tokens used from unfamiliar IP to clone private repositories", "breach"),
        ("Confirmed breach: attacker has interactive shell on web-3", "breach"),
        ("Secrets and tokens may have been exfiltrated from the build environment", "breach"),
        ("User passwords written to internal logs in plaintext", "exposed"),
        ("nightly cleanup job deleted 3,412 rows from production orders table", "loss"),
        ("Customer sites deleted by app-deactivation script", "loss"),
        ("Filesystem corruption detected in running dynos", "corruption"),
        ("customer records from the last 6 hours lost", "loss"),
        ("password reset emails sent to the wrong recipients", "exposed"),
        ("profile page rendered private fields to another signed-in user", "exposed"),
        ("users seeing another user's account details", "exposed"),
        ("showed profile 88213's private email to a different logged-in member", "exposed"),
        ("order history displayed to another visitor", "exposed"),
        ("personal access token with push scope exposed in public CI build logs", "exposed"),
        ("access key committed to a public repository", "exposed"),
        ("1,200 captured payments missing from payments DB after failover", "loss"),
        ("items and progress lost for players active after 06:00", "loss"),
        ("Character data rollback after hotfix", "loss"),
        ("/dashboard rendered 18422's trips and lists to 9031", "exposed"),
        ("login form events include the typed password in the element attributes", "exposed"),
        ("internal disclosure-tracking files are publicly reachable on a web server", "exposed"),
        ("users can now read and edit every record regardless of sharing rules", "exposed"),
        ("repositories holding payout records were cloned by an outside party", "breach"),
        ("withdrawals approved with no 2FA challenge recorded", "breach"),
        ("515 indexes and their stored vectors were deleted by the cleanup job", "loss"),
        ("recordings and form events from customer sites are not being stored", "loss"),
        ("earlier page blocks discarded; archive unplayable", "loss"),
        ("split removed qty 1200 but created no new item, quantity not restored", "loss"),
    ],
)
def test_exposure_breach_loss_and_corruption_are_read_at_any_volume(text: str, kind: str):
    found = signals(text).exposure
    assert [e.kind for e in found][:1] == [kind]
    assert found[0].quote in text


@pytest.mark.parametrize(
    "text",
    [
        "database is not accepting commands to avoid wraparound data loss",
        "no data loss expected",
        "authzd memory leak after deploy",
        "latency breached the SLO for 10m",
        "one tenant throttled; other customers unaffected",
        "release 4.2 rolled back after error spike",
        "data pipeline deploy rolled back",
        "accounts service migration rolled back",
        "cache items deleted by eviction",
        "device push tokens posted to APNs",
        "another signed-in user count dashboard is slow",
        "token refresh failing for some users",
        "card numbers are not stored (tokenized)",
        "debug logs are not being stored, by design",
        "the API is publicly reachable",
        "expired sessions were deleted by the cleanup job",
        "user sessions were deleted after logout",
        "returned today's results to the client",
    ],
)
def test_denied_hypothetical_or_unrelated_mentions_are_not_exposure(text: str):
    assert not signals(text).exposure


def test_a_runtime_fault_is_not_a_bad_input():
    assert StatementKind.INPUT_SPECIFIC not in said("runtime error: invalid memory address or nil pointer dereference")
    assert StatementKind.INPUT_SPECIFIC in said("invalid argument: unknown locale 'xx'")


def test_customer_reports_are_counted_with_their_window():
    reports = signals("Polish users report they cannot type 'Ś'", "3 reports this week", event_count=3).reports
    assert max(r.count for r in reports) == 3 and 7.0 in {r.window_days for r in reports}
    assert signals("Customer report: CSV export downloads an empty file", event_count=4).reports[0].count == 4
    assert not signals("Security report: edge responses leak memory").reports
    assert signals("Several customers report failed card payments").reports[0].count == 3


@pytest.mark.parametrize(
    "text", ["mTicket wallet sync failing: 97% 5xx", "Ticket activations 3% of same-hour last week"]
)
def test_a_ticketing_products_tickets_are_not_support_tickets(text: str):
    assert not signals("ticket scanners offline at gate 4").reports
    assert not signals(text).reports
    assert signals(text, "12 support tickets in the last hour").reports


@pytest.mark.parametrize(
    "text",
    [
        "latency and error rates are within normal range.",
        "error rate remains nominal",
        "Users are not affected.",
        "customers are not impacted.",
        "customers remain unaffected",
    ],
)
def test_no_impact_is_read_in_other_words(text: str):
    assert StatementKind.NO_IMPACT in said(text)


@pytest.mark.parametrize("text", ["error rate 40%, well above normal", "customers are affected", "users impacted"])
def test_impact_words_without_a_denial_are_not_no_impact(text: str):
    assert StatementKind.NO_IMPACT not in said(text)


def test_an_app_that_stays_usable_still_works():
    assert StatementKind.STILL_WORKS in said("The app stays usable and forms submit; only styling is off.")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Ledger invariant violations (prod)", "corruption"),
        ("LedgerPrecisionMismatch: credited amount differs from filled amount by factor 100", "corruption"),
        ("subscribers double-charged on renewal", "corruption"),
        ("balance mismatch between wallet and ledger for 37 accounts", "corruption"),
        ("ManifestException: stored manifest is not valid JSON (truncated at 32768 bytes)", "corruption"),
        ("0.4% of webhooks have no journal entry and cannot be replayed", "loss"),
        ('6 organiser tickets reporting "all my events disappeared"', "loss"),
        ("customers report their projects have vanished", "loss"),
        ("uploader path issuing user access tokens for the viewed profile", "exposed"),
        ("session cookies issued for the wrong user after the cache change", "exposed"),
        ("they can open and edit records their sharing rules hide from them", "exposed"),
        ("Audit log shows reads of restricted objects", "exposed"),
        ("privilege escalation: standard users hold admin rights", "exposed"),
        ("authorization check bypassed on /api/v2/export", "exposed"),
    ],
)
def test_corruption_loss_and_exposure_are_read_in_other_words(text: str, kind: str):
    """Money credited wrong, stored data cut short, acknowledged work gone, a session or permission that belongs to
    someone else: the floor's facts as monitors and exception messages put them."""
    assert kind in {e.kind for e in signals(text).exposure}


@pytest.mark.parametrize(
    "text",
    [
        "version mismatch between client and server",
        "read-after-write mismatch on 38 of 500 probe partitions",
        "request could not be retried after 3 attempts",
        "tokens for the other region refreshed",
        "token refresh failing for some users",
        "response truncated by the client",
    ],
)
def test_mismatches_retries_and_tokens_that_are_not_the_floor(text: str):
    assert not signals(text).exposure


@pytest.mark.parametrize(
    "text",
    [
        "nyc1/nyc3/ams3/fra1/sgp1 LBs normal",
        "Frankfurt, Ohio, Singapore and Virginia unaffected",
        "US and APAC regions normal",
        "dc1 and dc3 ingress healthy",
        "us-east-1 99.5%, us-west-2 99.7%, fe 99.4% unchanged",
        "Other 6 regions < 0.1% errors",
        "other nine regions stay at 0.4%",
        "Login server and the other 10 live servers report normal player counts",
        "other regions at 0.3% failures",
    ],
)
def test_a_list_of_other_places_serving_says_the_failure_is_confined(text: str):
    assert StatementKind.OTHERS_FINE in said(text)


@pytest.mark.parametrize(
    "text",
    [
        "CPU, memory and disk normal",
        "Messages, channels and presence unaffected",
        "github.com app, API and git unaffected",
        "Email and SMS unaffected",
        "reads and writes healthy",
        "primary and replica healthy",
        "heap 40%, threads 12% normal",
        "other regions at 12% errors",
        "other 3 regions 1.4% failing",
        "Other 6 regions climbing from 0.2% to 38% errors",
        "Other 6 regions baseline 0.1%, now 52% errors",
        "Other 6 regions 0.2% -> 48% errors",
        "Other 6 regions success rate 0.4%",
        "Other 6 regions > 0.5% errors and rising",
        "Other 6 regions also failing, 0.3% success",
        "us-east-1 41%, us-west-2 37%, ap-northeast-1 40% unchanged",
        "us-east-1, us-west-2 unchanged (still down)",
    ],
)
def test_a_list_of_metrics_or_features_is_not_a_list_of_places(text: str):
    assert StatementKind.OTHERS_FINE not in said(text)


@pytest.mark.parametrize(
    "text",
    [
        "14% failure rate (transaction create unaffected)",
        "card payments not affected",
        "Messages and channels unaffected",
    ],
)
def test_a_named_part_unaffected_says_the_rest_works(text: str):
    assert StatementKind.STILL_WORKS in said(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Other markets look normal for now", StatementKind.OTHERS_FINE),
        ("services with urgent letters could send by email/text instead", StatementKind.WORKAROUND),
        ("a workaround is available: use the CLI", StatementKind.WORKAROUND),
        ("This monitor's last 6 firings cleared on their own in under 5 minutes", StatementKind.SELF_CLEARING),
        ("usually clears within 2 minutes", StatementKind.SELF_CLEARING),
    ],
)
def test_confinement_workarounds_and_self_clearing_history_are_read(text: str, kind: StatementKind):
    assert kind in said(text)


@pytest.mark.parametrize(
    "text", ["Workaround: none", "no workaround available", "pods restarted and recovered on their own"]
)
def test_no_workaround_and_a_recovery_now_are_not_those_statements(text: str):
    assert not said(text) & {StatementKind.WORKAROUND, StatementKind.SELF_CLEARING}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("timelines, posting and sign-in work", StatementKind.STILL_WORKS),
        ("Help Center keeps serving the previously published versions", StatementKind.STILL_WORKS),
        ("Git HTTPS and SSH latency normal", StatementKind.STILL_WORKS),
        ("latency normal", StatementKind.NO_IMPACT),
        ("search + order window is a workaround", StatementKind.WORKAROUND),
        (
            "fired in each of the last 4 maintenance windows and cleared on its own within 5 minutes every time",
            StatementKind.SELF_CLEARING,
        ),
    ],
)
def test_more_statements_in_other_words(text: str, kind: StatementKind):
    assert kind in said(text)


def test_another_products_users_unaffected_and_some_users_failing_are_not_those_statements():
    assert StatementKind.STILL_WORKS not in said("Users on other homeservers unaffected")
    assert StatementKind.ALL_AFFECTED not in said("Some users can't add new scrips to their watchlists")
    assert StatementKind.NO_IMPACT not in said("Git HTTPS and SSH latency normal")


@pytest.mark.parametrize(
    "text",
    ["DB failover completed no customer impact", "p99 latency normal", "replication lag high but no customer impact"],
)
def test_no_impact_after_any_words_is_still_no_impact(text: str):
    assert StatementKind.NO_IMPACT in said(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Evicted events are not recoverable - there is no replay source", "loss"),
        ("Writes made since each volume's last snapshot are gone", "loss"),
        ("Hosts, clusters and vSAN datastores in both regions are gone", "loss"),
        ("rootkit signature found on four hosts", "breach"),
        ("developer password assumed sniffed", "breach"),
        ("unusual query on the guest DB by an admin account; account owner says he did not run it", "breach"),
        ("Script file created in MOVEit Transfer web root: human2.aspx", "breach"),
        ("SVC_RPT_LOADER exported 3.8 GB in 18m from an address never seen for this user", "breach"),
        ("Sensitive Data Scanner: cleartext password values in login-api logs", "exposed"),
    ],
)
def test_the_floor_in_the_words_detectors_and_people_use(text: str, kind: str):
    assert kind in {e.kind for e in signals(text).exposure}


@pytest.mark.parametrize(
    "text",
    [
        "old pods are gone after the rollout",
        "they did not run the migration yet",
        "exported 3 reports from the dashboard",
    ],
)
def test_everyday_sentences_near_those_words_are_not_the_floor(text: str):
    assert not signals(text).exposure


@pytest.mark.parametrize(
    "text",
    [
        "users did not make it past the login page",
        "CloudShell web shell sessions time out after 30s",
        "checkout request volume is gone to zero since 14:02",
    ],
)
def test_a_funnel_a_product_named_web_shell_and_lost_traffic_are_not_the_floor(text: str):
    assert not signals(text).exposure


@pytest.mark.parametrize(
    ("text", "lost"),
    [
        ("Discarded lines were already acknowledged to agents and are not forwarded to storage", True),
        ("events accepted with HTTP 200 and then discarded before the write", True),
        ("messages acknowledged to the client but never stored", True),
        ("records acknowledged and replicated, none were discarded", False),
        ("accepted 2M lines, 30k lines discarded (reason: rate_limited)", False),  # refused at intake, by policy
        ("Migration aborted after lock timeout; no changes were persisted, will retry", False),
        ("cache-3 restarted, in-memory keys not persisted by design", False),
        ("accepted requests queued for retry", False),
        ("Duplicate webhook deliveries are acknowledged and discarded by the idempotency check", False),
        ("Spans accepted by the collector and discarded by tail-sampling policy", False),
        ("12 notifications dropped for alerts previously acknowledged", False),
        ("Card numbers are accepted and not stored (tokenized by vault)", False),
    ],
)
def test_data_accepted_and_then_discarded_is_loss_but_nothing_written_is_not(text: str, lost: bool):
    assert any(e.kind == "loss" for e in signals(text).exposure) is lost


@pytest.mark.parametrize(
    ("text", "lost"),
    [
        ("Nightly purge removed 0 expired records for 4 consecutive runs", False),
        ("cleanup job deleted no rows", False),
        ("purged 1.2M expired sessions", False),  # upkeep: expired copies are meant to go
        ("evicted and deleted stale cache entries", False),
        ("12 shards missing on cluster", False),  # infrastructure, not records
        ("214 gem versions missing on new primary", True),
        ("cleanup script deleted 2 TB of customer data", True),
        ("a migration deleted 300 customer records", True),
    ],
)
def test_nothing_removed_or_upkeep_is_not_loss_and_rows_missing_from_a_primary_are(text: str, lost: bool):
    assert any(e.kind == "loss" for e in signals(text).exposure) is lost


def test_another_person_s_name_shown_is_exposure_whatever_the_noun_for_the_person():
    read = signals("patient reports seeing another patient's name and clinic number in a lab result comment")
    assert [e.kind for e in read.exposure] == ["exposed"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Customers seeing Events-tab thumbnails from cameras that are not on their account", "exposed"),
        ("the dashboard shows devices they do not own", "exposed"),
        ("users can see projects never shared with them", "exposed"),
        ("reconciliation failed: 9h of order history missing on the new cluster", "loss"),
        ("writes from 02:00-06:00 exist in the source snapshot but not on the new volume", "loss"),
        ("invite dialog lists 4 members (names + emails) who are not in their org", "exposed"),
        ("the CSV export includes invoices that are not in their workspace", "exposed"),
        ("acknowledged (HTTP 200), so these messages are not stored anywhere", "loss"),
    ],
)
def test_someone_else_s_things_shown_and_accepted_work_kept_nowhere_are_the_floor(text: str, kind: str):
    assert kind in [e.kind for e in signals(text).exposure]


def test_a_list_of_ones_own_things_outside_a_group_is_not_an_exposure():
    assert not signals("the dashboard lists hosts that are not in their cluster").exposure


@pytest.mark.parametrize(
    "text", ["Card numbers are not stored anywhere (tokenized by vault)", "cache entries not stored anywhere by design"]
)
def test_kept_nowhere_by_design_is_not_loss(text: str):
    assert signals(text).exposure == []


@pytest.mark.parametrize(
    "text", ["Not a full outage, requests are still getting through.", "Not all users are affected."]
)
def test_a_denied_everyone_affected_is_not_read_one_word_away(text: str):
    assert StatementKind.ALL_AFFECTED not in {s.kind for s in signals("checkout latency high", text).statements}


@pytest.mark.parametrize("text", ["No customer reports.", "No new support tickets."])
def test_no_customer_reports_is_not_a_report(text: str):
    assert not signals("api latency high", text).reports
    assert signals("api latency high", "3 customer reports in the last hour").reports[0].count == 3


@pytest.mark.parametrize(
    "text",
    [
        "Other 4 gateway pods healthy.",
        "the other 9 regions are normal",
        "8 other pools normal",
        "other proxies clean",
        "Other regional clusters nominal",
    ],
)
def test_other_parts_of_the_fleet_said_fine_confine_the_failure(text: str):
    assert StatementKind.OTHERS_FINE in {s.kind for s in signals("x", text).statements}


@pytest.mark.parametrize(
    "text",
    [
        "login fails for all accounts with IP Restriction enabled",
        "failing for every user on this silo",
        "calls failing for all Elation-connected orgs",
        "all affected orgs have or had Pardot enabled",
        "synthetic failing 100% at 45/45 facilities (ORA-01034). All other client domains passing.",
        "us-east checkout 5xx 62%; every other region healthy",
    ],
)
def test_everyone_in_a_named_group_is_not_everyone(text: str):
    assert StatementKind.ALL_AFFECTED not in {s.kind for s in signals("x", text).statements}
    assert StatementKind.ALL_AFFECTED in {s.kind for s in signals("x", "checkout failing for all customers").statements}


@pytest.mark.parametrize(
    ("text", "lost"),
    [
        ("Live VPS disk images deleted on vpsnode-lon2-0417 (guests were running)", True),
        ("14 qcow2 images removed from /var/lib/vps/images while guests were running", True),
        ("Image GC: deleted 14 unused VM images older than 90d to free space", False),
        ("11,214 PPP sessions dropped (FTTC+ADSL), 0 re-established via backup IC-MAN1 after 6m", False),
        ("packets dropped on eth1, failover to backup link in progress", False),
    ],
)
def test_deleted_disk_images_are_loss_and_a_dropped_session_beside_a_backup_is_not(text: str, lost: bool):
    """The thing lost is what the verb governs in its own clause: 'sessions dropped (...), 0 re-established via backup'
    drops sessions, not a backup."""
    assert ("loss" in {e.kind for e in signals("x", text).exposure}) is lost


@pytest.mark.parametrize(
    "text",
    [
        "comments carrying cookie-exfil script",
        "an <img onerror> handler that sends document.cookie to an external host",
        "7 admin-only actions made with JWTs belonging to 2 instance admins, from 2 IPs/ASNs never seen for either account",
    ],
)
def test_session_theft_is_a_breach(text: str):
    assert "breach" in {e.kind for e in signals("x", text).exposure}
    assert not signals("x", "admin logins from 2 IPs seen before; cookie banner script updated").exposure


@pytest.mark.parametrize(
    ("text", "lost"),
    [
        ("migration accidentally dropped orders, order_items and payments tables in prod", True),
        ("cleanup script truncated events_2024, events_2025 tables", True),
        ("12,400 sessions from 310 IPs never seen before, likely bot traffic", False),
        ("session from IP never seen for this user", False),
        ("document.cookie read by remote config SDK (expected, allowlisted)", False),
        ("CSP violation: document.cookie sent to report-uri on external collector, blocked", False),
        ("Packer cleanup removed old VM images from us-east-1", False),
    ],
)
def test_a_list_of_lost_tables_is_loss_and_new_visitors_or_a_blocked_cookie_read_are_no_breach(text: str, lost: bool):
    """Review of stop 48: the wordings its first readers got wrong."""
    assert bool({e.kind for e in signals("x", text).exposure} & {"loss", "breach"}) is lost


def test_all_other_users_failing_is_everyone_else_and_all_other_domains_passing_is_the_rest_fine():
    assert StatementKind.ALL_AFFECTED in {s.kind for s in signals("x", "all other users get 503").statements}
    assert StatementKind.ALL_AFFECTED not in {
        s.kind for s in signals("x", "All other client domains passing").statements
    }


@pytest.mark.parametrize(
    ("text", "lost"),
    [
        ('tickets reporting "all my events disappeared"', True),
        ("customers report their projects have vanished", True),
        ("events disappeared from the live dashboard for 2 minutes", False),
        ("orders vanished from the search results", False),
        ("Messages disappeared from the DLQ after redrive", False),
        ("Error events disappeared after the deploy (errors fixed)", False),
        ("Posts vanished from users' feeds", False),
        ("no events disappeared", False),
    ],
)
def test_people_s_own_data_that_disappeared_is_loss_but_not_from_a_view_or_a_queue(text: str, lost: bool):
    """Customers' own words for their data gone ('all my events disappeared'); something gone from a dashboard, a
    queue or a feed, or errors that stopped, is no loss."""
    assert ("loss" in {e.kind for e in signals(text).exposure}) is lost


@pytest.mark.parametrize(
    "text",
    [
        "API 5xx 100%, public probes green 0 of 5",
        "API down: 100% of requests fail with 503. Customer-facing monitors still green; monitor points at the old host",
        "Public checks healthy on status.example.com",
    ],
)
def test_checks_said_green_are_the_rest_working_only_for_end_users_and_still(text: str):
    """'End-user checks still green' says other paths work; a count of green probes, a monitor, or a public check
    of somewhere else does not."""
    assert StatementKind.STILL_WORKS not in said(text)

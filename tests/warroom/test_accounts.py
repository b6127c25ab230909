"""Enterprise accounts are found by email domain or alert tag when the source names none."""

from __future__ import annotations

from datetime import UTC, datetime

from warroom.accounts import account_of, with_account
from warroom.alerts.models import AffectedUser, Alert
from warroom.settings import AccountConfig

ACCOUNTS = {
    "acme": AccountConfig(name="Acme Corp", email_domains=["acme.example"]),
    "globex": AccountConfig(name="Globex", tags={"customer": "globex"}),
}


def _alert(email: str | None = None, account: str | None = None, tags: dict[str, str] | None = None) -> Alert:
    user = AffectedUser(id="u1", email=email, account=account) if email or account else None
    return Alert(
        source="sentry",
        delivery_key="d1",
        dedup_key="k1",
        title="boom",
        occurred_at=datetime(2026, 12, 4, tzinfo=UTC),
        user=user,
        tags=tags or {},
    )


def test_a_user_at_an_accounts_domain_or_subdomain_is_that_accounts() -> None:
    assert account_of(_alert("dev@acme.example"), ACCOUNTS) == "acme"
    assert account_of(_alert("Dev@EU.Acme.Example"), ACCOUNTS) == "acme"


def test_a_domain_that_merely_ends_in_the_same_letters_is_not() -> None:
    assert account_of(_alert("dev@notacme.example"), ACCOUNTS) is None
    assert account_of(_alert("acme.example@gmail.com"), ACCOUNTS) is None


def test_an_alert_tag_marks_the_account_even_without_a_user() -> None:
    tagged = with_account(_alert(tags={"customer": "globex"}), ACCOUNTS)
    assert tagged.user is not None and tagged.user.account == "globex" and tagged.user.key is None
    assert with_account(_alert(tags={"customer": "initech"}), ACCOUNTS).user is None


def test_the_account_the_source_named_is_kept() -> None:
    named = with_account(_alert("dev@acme.example", account="initech"), ACCOUNTS)
    assert named.user is not None and named.user.account == "initech"


def test_a_user_of_no_account_is_left_alone() -> None:
    alert = _alert("someone@gmail.com")
    assert with_account(alert, ACCOUNTS) is alert

"""Which enterprise account an alert's user belongs to, when the source did not say: by the user's
email domain or by a tag the alert carries. Done at ingest, so counts, windows and notices all
see the same account."""

from __future__ import annotations

from warroom.alerts.models import AffectedUser, Alert
from warroom.settings import AccountConfig

__all__ = ["account_of", "with_account"]


def _domain_matches(email: str, domains: list[str]) -> bool:
    domain = email.rsplit("@", 1)[-1].strip().casefold()
    for wanted in domains:
        wanted = wanted.strip().lstrip("@").casefold()
        if wanted and (domain == wanted or domain.endswith("." + wanted)):
            return True
    return False


def account_of(alert: Alert, accounts: dict[str, AccountConfig]) -> str | None:
    """The key of the configured account this alert's user belongs to, if any rule says so."""
    email = alert.user.email if alert.user else None
    for key, account in accounts.items():
        if email and "@" in email and _domain_matches(email, account.email_domains):
            return key
        if account.tags and any(alert.tags.get(tag) == value for tag, value in account.tags.items()):
            return key
    return None


def with_account(alert: Alert, accounts: dict[str, AccountConfig]) -> Alert:
    """The alert with its user's account filled in from the configured rules; unchanged when the
    source named the account already or no rule matches."""
    if not accounts or (alert.user is not None and alert.user.account):
        return alert
    key = account_of(alert, accounts)
    if key is None:
        return alert
    user = alert.user.model_copy(update={"account": key}) if alert.user else AffectedUser(account=key)
    return alert.model_copy(update={"user": user})

"""Subscribing to the public status page by email: double opt-in through the outbox, signed links
that expire or die with the subscription, one email per post per confirmed subscriber, never two."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select

from flows.effects import post_status
from flows.status_subscriptions import notify_subscribers
from tests.conftest import open_outage
from warroom.db import table_of
from warroom.incidents.models import IncidentStatus
from warroom.kinds import OutboxKind
from warroom.outbox.tables import OutboxRow
from warroom.status_page.models import StatusPost
from warroom.status_page.subscribers import SUBSCRIBERS

OUTBOX = table_of(OutboxRow)


def _mails(warroom, kind: str = "") -> list:
    with warroom.engine.connect() as conn:
        rows = conn.execute(
            select(OUTBOX).where(OUTBOX.c.kind == OutboxKind.SUBSCRIBER_EMAIL).order_by(OUTBOX.c.id)
        ).all()
    return [r for r in rows if r.idempotency_key.startswith(f"subscribers.{kind}")]


def _link(row, path: str) -> str:
    [url] = re.findall(rf"https?://\S+{re.escape(path)}\?token=\S+", row.payload["body"])
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _subscribe(client, address: str):
    return client.post("/status/subscribe", data={"email": address})


def _confirmed(client, warroom, address: str) -> None:
    assert _subscribe(client, address).status_code == 200
    [mail] = [m for m in _mails(warroom, "confirm") if m.payload["to"] == address.lower()]
    assert "You are subscribed" in client.post(_link(mail, "/status/subscribe/confirm")).text


def test_the_form_sends_one_confirmation_and_answers_the_same_whoever_is_subscribed(client, warroom):
    first = _subscribe(client, "  Ana@Example.com ")
    assert first.status_code == 200 and "Check your email" in first.text
    [mail] = _mails(warroom, "confirm")
    assert mail.payload["to"] == "ana@example.com" and "ana@example.com" not in mail.idempotency_key
    assert "/status/subscribe/confirm?token=" in mail.payload["body"]
    assert "/status/unsubscribe?token=" in mail.payload["body"]
    again = _subscribe(client, "ana@example.com")
    assert again.text == first.text and len(_mails(warroom, "confirm")) == 1  # not sent twice
    client.post(_link(mail, "/status/subscribe/confirm"))
    assert _subscribe(client, "ana@example.com").text == first.text  # confirmed: same answer, no mail
    assert len(_mails(warroom)) == 1


def test_an_address_that_is_not_one_is_refused(client, warroom):
    answer = _subscribe(client, "not an address")
    assert answer.status_code == 422 and "does not look like an email address" in answer.text
    assert _mails(warroom) == []


def test_a_tampered_or_expired_confirmation_link_is_refused(client, warroom, clock):
    _subscribe(client, "ben@example.com")
    link = _link(_mails(warroom, "confirm")[0], "/status/subscribe/confirm")
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert client.get(tampered).status_code == 403 and client.post(tampered).status_code == 403
    assert client.get("/status/subscribe/confirm?token=nonsense").status_code == 403
    clock.advance(timedelta(hours=49))
    for opened in (client.get(link), client.post(link)):
        assert opened.status_code == 410 and "expired" in opened.text
    open_outage(client, warroom, clock)
    assert _mails(warroom, "post") == []  # never confirmed: no post emails


def test_each_post_emails_each_confirmed_subscriber_once_and_pending_ones_never(client, warroom, clock, caplog):
    caplog.set_level(logging.DEBUG)
    _confirmed(client, warroom, "cleo@example.com")
    _confirmed(client, warroom, "dev@example.com")
    _subscribe(client, "pending@example.com")

    open_outage(client, warroom, clock)  # the first post goes to the page
    posts = _mails(warroom, "post")
    assert sorted(m.payload["to"] for m in posts) == ["cleo@example.com", "dev@example.com"]
    assert all(m.payload["subject"].startswith("[Service status] ") for m in posts)
    assert all("Investigating" in m.payload["body"] for m in posts)

    # the same post published again (a replayed step, a retried send): nothing new
    [post_row] = [r for r in _status_posts(warroom)]
    with warroom.engine.begin() as conn:
        assert not post_status(
            conn, key=post_row.idempotency_key, post=StatusPost.model_validate(post_row.payload), now=clock.now()
        )
        mark = hashlib.sha256(post_row.idempotency_key.encode()).hexdigest()[:32]  # the post's mark
        again = notify_subscribers(
            conn,
            post_mark=mark,
            post=StatusPost.model_validate(post_row.payload),
            settings=warroom.settings,
            secret_key=warroom.secret_key,
            now=clock.now(),
        )
        assert again == 0
    warroom.scheduler.run_pending()
    assert len(_mails(warroom, "post")) == 2
    sent = [m for m in _mails(warroom, "post") if m.state == "sent"]
    assert len(sent) == 2 and all("example.com" not in str(m.result) for m in sent)
    emls = list((warroom.settings.data_dir / "outbox-email").glob("*.eml"))
    with_unsubscribe = [
        p.read_text() for p in emls if "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in p.read_text()
    ]
    assert len(with_unsubscribe) == 2 + 3  # two post emails and three confirmations, each once
    assert "example.com" not in caplog.text  # addresses are never logged


def _status_posts(warroom) -> list:
    with warroom.engine.connect() as conn:
        return conn.execute(select(OUTBOX).where(OUTBOX.c.kind == OutboxKind.STATUS_POST)).all()


def test_the_unsubscribe_link_forgets_the_address_and_cancels_what_was_queued(client, warroom, clock):
    _confirmed(client, warroom, "eve@example.com")
    link = _link(_mails(warroom, "confirm")[0], "/status/unsubscribe")
    assert client.get(link[:-2] + "xx").status_code == 403 and client.post(link[:-2] + "xx").status_code == 403
    open_outage(client, warroom, clock)
    [first] = _mails(warroom, "post")
    assert first.state == "sent"
    post = StatusPost(incident_id=1, title="Checkout", status=IncidentStatus.IDENTIFIED, body="Found it.")
    with warroom.engine.begin() as conn:  # a post's emails queued, not yet sent ...
        queued = notify_subscribers(
            conn, post_mark="m2", post=post, settings=warroom.settings, secret_key=warroom.secret_key, now=clock.now()
        )
    assert queued == 1
    assert "unsubscribed" in client.post(link).text  # ... when the subscriber leaves
    assert client.post(link).status_code == 200  # mail clients' one-click POST again: nothing left to do
    warroom.scheduler.run_pending()
    assert [m.state for m in _mails(warroom, "post")] == ["sent", "cancelled"]
    clock.advance(timedelta(minutes=20))
    warroom.scheduler.run_pending()  # the next update: nobody left to tell
    assert len(_mails(warroom, "post")) == 2


def test_one_client_may_submit_the_form_a_few_times_only(client, warroom):
    answers = [_subscribe(client, f"f{n}@example.com").status_code for n in range(6)]
    assert answers == [200] * 5 + [429]


def test_opening_a_link_changes_nothing_until_its_button_is_pressed(client, warroom, clock):
    """Mail scanners open every link in a message: that must neither subscribe nor unsubscribe."""
    _subscribe(client, "fay@example.com")
    mail = _mails(warroom, "confirm")[0]
    confirm = _link(mail, "/status/subscribe/confirm")
    for _ in range(3):
        asked = client.get(confirm)
        assert asked.status_code == 200 and "Confirm subscription" in asked.text
    assert "no-store" in asked.headers["cache-control"]
    action = re.search(r'<form method="post" action="([^"]+)"', asked.text).group(1).replace("&amp;", "&")
    open_outage(client, warroom, clock)
    assert _mails(warroom, "post") == []  # only opened: not subscribed
    assert "You are subscribed" in client.post(action).text

    unsubscribe = _link(mail, "/status/unsubscribe")
    asked = client.get(unsubscribe)
    assert asked.status_code == 200 and "Unsubscribe from updates?" in asked.text
    with warroom.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SUBSCRIBERS)).scalar_one() == 1  # still there
    action = re.search(r'<form method="post" action="([^"]+)"', asked.text).group(1).replace("&amp;", "&")
    assert "You are unsubscribed" in client.post(action).text
    with warroom.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SUBSCRIBERS)).scalar_one() == 0

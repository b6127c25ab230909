"""Email out: SMTP in production, `.eml` files in a folder as the embedded default.

Customer mail is one `EmailMessage` per recipient (never a shared To: line that would show
affected users each other's addresses). `message_id` is stable per outbox row, so a retried send
carries the same Message-ID and the folder sender writes the same file once.
"""

from __future__ import annotations

import email.message
import email.policy
import email.utils
import re
import smtplib
import ssl
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import BaseModel, Field, field_validator

__all__ = [
    "EmailError",
    "EmailMessage",
    "EmailReceipt",
    "EmailSender",
    "EmlFolderSender",
    "SmtpSender",
    "make_email_sender",
]

_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._@-]+")


class EmailMessage(BaseModel):
    sender: str
    to: list[str] = Field(min_length=1)
    subject: str = Field(min_length=1, max_length=998)
    body: str
    reply_to: str | None = None
    message_id: str | None = Field(default=None, description="stable '<id@domain>' for retries")
    headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("to")
    @classmethod
    def _addresses(cls, to: list[str]) -> list[str]:
        bad = [a for a in to if not _ADDRESS.match(a)]
        if bad:
            raise ValueError(f"not an email address: {bad}")
        return to

    @field_validator("subject", "sender", "reply_to", "message_id")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is not None and ("\r" in value or "\n" in value):
            raise ValueError("header values must be one line")
        return value

    def with_message_id(self) -> EmailMessage:
        """This message with a Message-ID, generated from the sender's domain when missing."""
        if self.message_id:
            return self
        domain = email.utils.parseaddr(self.sender)[1].rpartition("@")[2] or "warroom.local"
        return self.model_copy(update={"message_id": email.utils.make_msgid(domain=domain)})

    def to_mime(self) -> email.message.EmailMessage:
        message = email.message.EmailMessage(policy=email.policy.SMTP)
        message["From"] = self.sender
        message["To"] = ", ".join(self.to)
        message["Subject"] = self.subject
        message["Date"] = email.utils.formatdate(usegmt=True)
        message["Message-ID"] = self.with_message_id().message_id
        if self.reply_to:
            message["Reply-To"] = self.reply_to
        for name, value in self.headers.items():
            message[name] = value
        message.set_content(self.body)
        return message


class EmailReceipt(BaseModel):
    """What was accepted: the Message-ID sent, and any recipients the server refused."""

    message_id: str
    refused: dict[str, str] = Field(default_factory=dict)


class EmailError(Exception):
    """Sending failed. `status` is the SMTP reply code when there was one; 4xx codes and
    connection failures are `transient` (retry later), 5xx are `permanent`. `outcome_unknown`:
    the connection broke after the message was handed over, so it may have been accepted."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        outcome_unknown: bool = False,
    ):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.outcome_unknown = outcome_unknown

    @property
    def transient(self) -> bool:
        return self.status is None or 400 <= self.status < 500

    @property
    def permanent(self) -> bool:
        """In SMTP's own terms (its 4xx means "try again"), for the outbox's retry rule."""
        return not self.transient


class EmailSender(Protocol):
    name: str
    idempotent: bool
    """Sending one message (one Message-ID) twice leaves one copy: true of the folder, not of SMTP."""

    def send(self, message: EmailMessage) -> EmailReceipt: ...


class SmtpSender:
    """`smtp://user:pass@host:port` (STARTTLS with `?starttls=true` or on port 587) or
    `smtps://...` (TLS from the first byte, port 465 by default)."""

    name = "smtp"
    idempotent = False

    def __init__(self, url: str, *, timeout: float = 10.0, ssl_context: ssl.SSLContext | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("SMTP URL must look like smtp://user:pass@host:port or smtps://...")
        query = parse_qs(parts.query)
        self._implicit_tls = parts.scheme == "smtps"
        self._host = parts.hostname
        self._port = parts.port or (465 if self._implicit_tls else 25)
        self._starttls = not self._implicit_tls and (
            query.get("starttls", ["false"])[0].lower() in {"1", "true", "yes"} or self._port == 587
        )
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._timeout = timeout
        self._ssl_context = ssl_context or ssl.create_default_context()

    def send(self, message: EmailMessage) -> EmailReceipt:
        message = message.with_message_id()
        mime = message.to_mime()
        handed_over = False
        try:
            with self._connect() as smtp:
                if self._starttls:
                    smtp.starttls(context=self._ssl_context)
                if self._username is not None:
                    smtp.login(self._username, self._password or "")
                handed_over = True
                refused = smtp.send_message(
                    mime, from_addr=email.utils.parseaddr(message.sender)[1], to_addrs=message.to
                )
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            raise EmailError(f"all recipients refused: {_text(reply)}", status=code) from exc
        except smtplib.SMTPResponseException as exc:
            raise EmailError(f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}", status=exc.smtp_code) from exc
        except (smtplib.SMTPException, OSError) as exc:
            where = f"SMTP server {self._host}:{self._port}"
            if handed_over:  # the server may have queued it before the line went quiet
                raise EmailError(f"{where} stopped answering while sending: {exc}", outcome_unknown=True) from exc
            raise EmailError(f"{where} unavailable: {exc}") from exc
        assert message.message_id is not None
        return EmailReceipt(
            message_id=message.message_id,
            refused={addr: f"{code} {_text(reply)}" for addr, (code, reply) in refused.items()},
        )

    def _connect(self) -> smtplib.SMTP:
        if self._implicit_tls:
            return smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout, context=self._ssl_context)
        return smtplib.SMTP(self._host, self._port, timeout=self._timeout)


class EmlFolderSender:
    """The embedded default: each message becomes `<message-id>.eml` in `folder`, written once."""

    name = "eml-folder"
    idempotent = True

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> EmailReceipt:
        message = message.with_message_id()
        assert message.message_id is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{_UNSAFE_FILENAME.sub('_', message.message_id.strip('<>'))}.eml"
        if not path.exists():
            partial = path.with_suffix(".eml.partial")
            partial.write_bytes(message.to_mime().as_bytes())
            partial.replace(path)
        return EmailReceipt(message_id=message.message_id)


def make_email_sender(smtp_url: str | None, folder: Path) -> EmailSender:
    """SMTP when `WARROOM_SMTP_URL` is set, else `.eml` files under `folder`."""
    return SmtpSender(smtp_url) if smtp_url else EmlFolderSender(folder)


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply

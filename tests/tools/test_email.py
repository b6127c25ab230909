import email
import email.policy
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import ValidationError

from tools.email import EmailError, EmailMessage, EmlFolderSender, SmtpSender, make_email_sender

USER, PASSWORD = "warroom", "s3cret/+pass"


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps what it receives and can refuse or defer on request."""

    received: list[tuple[list[str], email.message.EmailMessage]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    data_reply: str | None = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def plain_server(inbox: Inbox) -> Iterator[int]:
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(inbox: Inbox, certificate: tuple[Path, Path]) -> Iterator[int]:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=_authenticate,
        auth_require_tls=True,
        auth_exclude_mechanism=["LOGIN"],
    )
    controller.start()
    yield port
    controller.stop()


def _message(**overrides: Any) -> EmailMessage:
    fields: dict[str, Any] = {
        "sender": "Status <status@shop.test>",
        "to": ["ann@example.com"],
        "subject": "We know checkout isn't working for you",
        "body": "Since 02:14 UTC, checkout has been failing for about 15% of users.",
        "message_id": "<inc-42-email-1@shop.test>",
    }
    fields.update(overrides)
    return EmailMessage.model_validate(fields)


def test_smtp_delivers_the_message_with_its_stable_message_id(inbox: Inbox, plain_server: int) -> None:
    receipt = SmtpSender(f"smtp://127.0.0.1:{plain_server}").send(_message())

    ((recipients, delivered),) = inbox.received
    assert recipients == ["ann@example.com"]
    assert delivered["Message-ID"] == receipt.message_id == "<inc-42-email-1@shop.test>"
    assert delivered["Subject"] == "We know checkout isn't working for you"
    assert "about 15% of users" in delivered.get_content()
    assert receipt.refused == {}


def test_smtp_upgrades_with_starttls_and_logs_in(inbox: Inbox, tls_server: int, certificate: tuple[Path, Path]) -> None:
    context = ssl.create_default_context(cafile=str(certificate[0]))
    url = f"smtp://{USER}:s3cret%2F%2Bpass@127.0.0.1:{tls_server}?starttls=true"

    SmtpSender(url, ssl_context=context).send(_message())

    assert len(inbox.received) == 1


def test_smtp_wrong_password_is_a_permanent_error(tls_server: int, certificate: tuple[Path, Path]) -> None:
    context = ssl.create_default_context(cafile=str(certificate[0]))
    sender = SmtpSender(f"smtp://{USER}:wrong@127.0.0.1:{tls_server}?starttls=true", ssl_context=context)

    with pytest.raises(EmailError) as caught:
        sender.send(_message())

    assert caught.value.status == 535
    assert not caught.value.transient


def test_server_requiring_starttls_refuses_a_plain_session(inbox: Inbox, tls_server: int) -> None:
    with pytest.raises(EmailError) as caught:
        SmtpSender(f"smtp://127.0.0.1:{tls_server}").send(_message())

    assert caught.value.status == 530
    assert inbox.received == []


def test_partly_refused_recipients_are_reported_and_the_rest_delivered(inbox: Inbox, plain_server: int) -> None:
    inbox.refuse = {"gone@example.com"}

    receipt = SmtpSender(f"smtp://127.0.0.1:{plain_server}").send(_message(to=["ann@example.com", "gone@example.com"]))

    assert [r for r, _ in inbox.received] == [["ann@example.com"]]
    assert receipt.refused == {"gone@example.com": "550 5.1.1 no such user"}


def test_all_recipients_refused_is_a_permanent_error(inbox: Inbox, plain_server: int) -> None:
    inbox.refuse = {"ann@example.com"}

    with pytest.raises(EmailError) as caught:
        SmtpSender(f"smtp://127.0.0.1:{plain_server}").send(_message())

    assert (caught.value.status, caught.value.transient) == (550, False)


def test_a_deferred_message_is_a_transient_error(inbox: Inbox, plain_server: int) -> None:
    inbox.data_reply = "451 4.3.0 try again later"

    with pytest.raises(EmailError) as caught:
        SmtpSender(f"smtp://127.0.0.1:{plain_server}").send(_message())

    assert (caught.value.status, caught.value.transient) == (451, True)


def test_an_unreachable_server_is_a_transient_error() -> None:
    with pytest.raises(EmailError) as caught:
        SmtpSender(f"smtp://127.0.0.1:{_free_port()}", timeout=2).send(_message())

    assert caught.value.status is None
    assert caught.value.transient


def test_eml_folder_writes_one_parseable_file_per_message_id(tmp_path: Path) -> None:
    sender = EmlFolderSender(tmp_path / "outbox")

    first = sender.send(_message())
    again = sender.send(_message(body="a retried render"))

    (path,) = (tmp_path / "outbox").iterdir()
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert first == again
    assert parsed["To"] == "ann@example.com"
    assert "about 15% of users" in parsed.get_content()


def test_a_message_without_id_gets_one_from_the_sender_domain(tmp_path: Path) -> None:
    receipt = EmlFolderSender(tmp_path).send(_message(message_id=None))

    assert receipt.message_id.endswith("@shop.test>")


@pytest.mark.parametrize(
    "overrides",
    [{"subject": "Hi\r\nBcc: everyone@example.com"}, {"to": ["not an address"]}, {"to": []}],
)
def test_header_injection_and_bad_addresses_are_rejected(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        _message(**overrides)


def test_the_embedded_default_is_the_eml_folder(tmp_path: Path) -> None:
    assert isinstance(make_email_sender(None, tmp_path), EmlFolderSender)
    assert isinstance(make_email_sender("smtp://mail.test:587", tmp_path), SmtpSender)

"""Credentials never leave for a model provider, and nothing an investigation or a severity call
reads (numbers, commit SHAs, trace ids, hosts, the words around a secret) is taken with them.

The fake credentials are assembled from pieces so that the repository itself holds none a scanner
would stop at a push."""

from __future__ import annotations

import pytest

from warroom import redaction
from warroom.redaction import redact_secrets

AWS_KEY = "AKIA" + "IOSFODNN7EXAMPLE"
GITHUB = "ghp" + "_16C7e42F292c6912E7710c838347Ae178B4a"
SLACK = "xox" + "b-2964386712-8574835294-Zm9vYmFyYmF6cXV4eHl6MTIz"
STRIPE = "sk_" + "live_51H8a1B2c3D4" + "e5F6g7H8" * 11  # today's live keys run past 100 characters
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
OPENAI = "sk-" + "proj-abcdefghijklmnopqrstT3BlbkFJabcdefghijklmnopqrst"
AZURE = "AccountKey=" + "A" * 86 + "=="
PEM = "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7x\nq2VxZ9bQ\n-----END RSA " + "PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("text", "secret", "kept", "kind"),
    [
        (
            f"IAM key {AWS_KEY} found in a public S3 object",
            AWS_KEY,
            ["IAM key ", " found in a public S3 object"],
            "AWS",
        ),
        (f"token {GITHUB} printed in public CI build logs", GITHUB, ["token ", " printed in public CI"], "GitHub"),
        (f"bot token {SLACK} posted in #general", SLACK, ["bot token ", " posted in #general"], "Slack"),
        (
            f"charge made with {STRIPE} from an unknown IP",
            STRIPE,
            ["charge made with ", " from an unknown IP"],
            "Stripe",
        ),
        (f"Authorization: Bearer {JWT} end", JWT, ["Authorization: Bearer ", " end"], "JSON Web Token"),
        (f"OPENAI_API_KEY={OPENAI}", OPENAI, ["OPENAI_API_KEY="], "OpenAI"),
        (f"DefaultEndpointsProtocol=https;{AZURE};EndpointSuffix=core", AZURE, ["EndpointSuffix=core"], "Azure"),
        (f"{PEM}\ncommitted to the public repo", "MIIEpAIBAAKCAQEA7x", ["committed to the public repo"], "private key"),
        (f"{PEM[:60]}", "MIIEpA", [], "private key"),  # cut short by the alert's length limit
        ("connect postgres://app:s3cretPass@db-1.internal:5432/app", "s3cretPass", ["@db-1.internal:5432"], "Basic"),
        ('log line: password="hunter2isgood" rejected', "hunter2isgood", ["rejected"], "secret"),
        ("GET /callback?code=xyz&token=abc123def456&x=1 200", "abc123def456", ["&x=1 200"], "secret"),
        (
            "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY leaked",
            "wJalrXUtnFEMI",
            [" leaked"],
            "secret",
        ),
        ("DB_PASSWORD=changeme in the job's environment dump", "changeme", [" in the job's"], "secret"),
        ("curl -H 'Authorization: Token 0123456789abcdef0123' failed", "0123456789abcdef0123", ["failed"], "secret"),
        (
            "authorization: bearer abcdef0123456789abcdef",
            "abcdef0123456789abcdef",
            ["authorization: bearer "],
            "secret",
        ),
        ('{"access_token": "opaque-value-1"}', "opaque-value-1", ['{"access_token": "'], "secret"),
        ('token = "abc123xyz"', "abc123xyz", ['token = "'], "secret"),
        ("password: hunter2 from the job log", "hunter2", [" from the job log"], "secret"),
        ("X-API-Key: 9f8e7d6c5b4a3210", "9f8e7d6c5b4a3210", ["X-API-Key: "], "secret"),
        ("Authorization: Basic YWRtaW46YWRtaW4=", "YWRtaW46YWRtaW4", ["Authorization: Basic "], "secret"),
        ("Cookie: _session=9f8e7d6c5b4a; theme=dark", "9f8e7d6c5b4a", ["; theme=dark"], "secret"),
        ("redis://:s3cretpass@cache-1:6379 refused", "s3cretpass", ["@cache-1:6379 refused"], "URL password"),
        ("password=12345678 accepted", "12345678", [" accepted"], "secret"),
        (
            "key sk-ant-" + "api03-abcdefghijklmnopqrstuvwxyz012345 used",
            "abcdefghijklmnop",
            ["key ", " used"],
            "Anthropic",
        ),
        ("AIza" + "SyD-abcdefghijklmnopqrstuvwxyz12345 in the page", "SyD-abcdefgh", [" in the page"], "Google API"),
        ("github_pat_" + "A1" * 41 + " pushed", "A1A1A1A1", [" pushed"], "GitHub"),
        ("hvs." + "CAESIabcdefghijklmnopqrstuvwxyz in env", "CAESIabcdefgh", [" in env"], "Vault"),
        ("whsec_" + "abcdefghijklmnopqrstuvwxyz123456 leaked", "abcdefghijklmnop", [" leaked"], "Stripe Webhook"),
    ],
)
def test_a_credential_is_replaced_by_what_it_was(text: str, secret: str, kept: list[str], kind: str) -> None:
    redacted = redact_secrets(text)

    assert secret not in redacted
    assert f"[redacted {kind}" in redacted
    for words in kept:
        assert words in redacted


@pytest.mark.parametrize(
    "text",
    [
        "deploy 9fceb02d0ae598e95dc970b74767f19372d61af8 by dana",
        "trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7",
        "request 123e4567-e89b-12d3-a456-426614174000 on api-7f9c8d-xk2lp (10.0.3.12)",
        "5xx ratio 0.48 on /checkout, p99 2300ms against an SLO of 400ms",
        "secrets: 3 exposed in a public gist; password reset emails failing for 12% of users",
        "token refresh errors; token=5 tokens=7 token_refresh_failures=42 max_token=1.5",
        "    token = tokens.issue_installation_token(installation, permissions=body.get('permissions'))",
        "https://grafana.example.com/d/abc123/checkout?orgId=1&from=now-1h",
        "Customer data of acme-co shown to beta-llc; API keys unaffected",
        "webhook signature=invalid; token=expired csrf_token=missing password=null secret=true",
        "PWD=/var/lib/app token=self.token api_key=$API_KEY",
        "Token refreshes_failed_for_all_users",
        "Accounts/AC0123456789abcdef0123456789abcdef/Messages.json returned 500",
        "MASKd41d8cd98f00b204e9800998ecf8427e",
        "*password reset failing* for 12% of users",
        "    self.token = token; client = Client(api_token=settings.api_token, secret_key=secret_key(settings))",
        "    return Warroom(api_token=token, password=os.environ['DB_PASSWORD'])",
        "signature=sha256; token: v2.3.1; session=expired",
        "Failed to fetch secret: arn:aws:secretsmanager:us-east-1:123456789012:secret:db",
    ],
)
def test_what_is_not_a_credential_is_left_as_it_is(text: str) -> None:
    assert redact_secrets(text) == text


def test_every_credential_in_a_text_goes_not_only_the_first() -> None:
    text = f'password="first-one-1" and password="second-two-2"; {AWS_KEY} and {AWS_KEY[:-1]}Z'

    redacted = redact_secrets(text)

    for secret in ("first-one-1", "second-two-2", AWS_KEY, AWS_KEY[:-1] + "Z"):
        assert secret not in redacted
    assert redacted.count("[redacted") == 4


def test_no_pattern_reads_more_than_one_window_of_a_long_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Some of the library's patterns take quadratic time on a long run of one token (`sk-sk-sk-…`: 12 s
    on 100 KB); each pattern sees at most one window, so the cost grows with the length, not its square."""
    seen: list[int] = []
    find = redaction._find
    monkeypatch.setattr(redaction, "_find", lambda text: seen.append(len(text)) or find(text))

    redact_secrets("sk-" * 40_000 + "\nshort line\n")

    assert max(seen) <= redaction._WINDOW and len(seen) > 1


def test_a_credential_across_a_window_edge_is_still_found() -> None:
    key = "AKIA" + "IOSFODNN7EXAMPLE"
    for filler in (3_990, 6_995, 9_000):
        text = "x" * filler + f" {key} " + "y" * 5_000

        assert key not in redact_secrets(text)


def test_an_approval_link_s_signed_token_is_not_taken_for_a_jwt() -> None:
    """warroom's one-click approval links carry an itsdangerous token (`eyJ…` then a timestamp); the war
    room needs them whole. A JWT has two JSON parts; this has one."""
    from itsdangerous import URLSafeTimedSerializer

    token = URLSafeTimedSerializer("k").dumps({"draft": 12, "action": "approve"})
    text = f"Approve or edit: http://127.0.0.1:8000/approve/{token}"

    assert token.startswith("eyJ") and redact_secrets(text) == text


def test_a_jwt_longer_than_a_window_goes_whole_wherever_it_falls() -> None:
    import base64
    import json

    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    jwt = f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part({'sub': 'x' * 2000})}.{'s' * 300}"
    for offset in (100, 2_930, 3_500, 7_000):
        line = json.dumps({"msg": "x" * offset + f" Bearer {jwt} " + "y" * 3_000})

        assert jwt[-60:] not in redact_secrets(line) and "[redacted JSON Web Token]" in redact_secrets(line)


def test_an_invisible_character_inside_a_key_does_not_hide_it() -> None:
    assert redact_secrets("key AKIA\u200bIOSFODNN7EXAMPLE leaked") == "key [redacted AWS Access Key] leaked"

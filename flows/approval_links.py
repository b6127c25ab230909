"""The signed one-click approval link: who holds it may decide one draft, until it expires.

Apart from deciding (`flows.actions.drafts`) so that drafting (`flows.comms`) can put links in the
war room and deciding can re-draft, without the two importing each other.
"""

from __future__ import annotations

from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from warroom.errors import Expired, Forbidden

__all__ = ["approval_token", "read_approval_token"]

APPROVE = "approve"


def _serializer(secret_key: str, now: datetime) -> URLSafeTimedSerializer:
    """Signed with our clock's time, so expiry follows the same clock as everything else."""

    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(now.timestamp())

    return URLSafeTimedSerializer(secret_key, salt="warroom.approve", signer=ClockSigner)


def approval_token(secret_key: str, draft_id: int, now: datetime) -> str:
    return _serializer(secret_key, now).dumps({"draft": draft_id, "action": APPROVE})


def read_approval_token(secret_key: str, token: str, max_age_seconds: int, now: datetime) -> int:
    try:
        data = _serializer(secret_key, now).loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise Expired("this approval link has expired; approve from the web UI instead") from exc
    except BadSignature as exc:
        raise Forbidden("this approval link is not valid") from exc
    return int(data["draft"])

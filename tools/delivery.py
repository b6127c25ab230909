"""Whether a request that failed in transit may still have reached the service.

A connection never made (refused, timed out connecting, no free connection) carried nothing;
anything later (a timeout waiting for the answer, a dropped connection) may have been acted on.
Senders that cannot ask the service afterwards say `outcome_unknown` for those, and the outbox
leaves them to a human rather than sending twice.
"""

from __future__ import annotations

import httpx

__all__ = ["may_have_arrived"]

_NOTHING_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def may_have_arrived(exc: httpx.HTTPError) -> bool:
    return not isinstance(exc, _NOTHING_SENT)

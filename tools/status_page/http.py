"""One JSON request to a hosted status page's API (Statuspage, Instatus), and what its refusals mean.

Transport failures and refusals alike become `StatusPageError` carrying the service's own
message, and `retry_after` when it rate-limits (Statuspage answers 420 or 429), so the outbox
retries or gives up on one exception type.
"""

from __future__ import annotations

from typing import Any

import httpx

from tools.retry_after import retry_after_seconds
from tools.status_page.port import StatusPageError

__all__ = ["raise_for_status_page", "request_json"]

_RATE_LIMITED = frozenset({420, 429})


def request_json(
    client: httpx.Client, method: str, path: str, body: dict[str, Any], headers: dict[str, str], service: str
) -> dict[str, Any]:
    """One JSON request to a status page's API; transport failures and refusals alike become
    `StatusPageError`, so the outbox retries or gives up on one exception type."""
    try:
        response = client.request(method, path, json=body, headers=headers)
    except httpx.HTTPError as exc:
        raise StatusPageError(f"{service} {method} {path}: {exc}") from exc
    raise_for_status_page(response, service)
    result: dict[str, Any] = response.json()
    return result


def raise_for_status_page(response: httpx.Response, service: str) -> None:
    """Turn a failed answer into `StatusPageError`, keeping the service's own message."""
    if response.is_success:
        return
    try:
        payload = response.json()
    except ValueError:
        payload = None
    message = response.text[:500]
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict):
            message = str(error.get("message") or error.get("code") or message)
        elif error or payload.get("message"):
            message = str(payload.get("message") or error)
    retry_after = (
        retry_after_seconds(response.headers.get("Retry-After")) if response.status_code in _RATE_LIMITED else None
    )
    raise StatusPageError(
        f"{service} {response.request.method} {response.request.url.path} -> {response.status_code}: {message}",
        status=response.status_code,
        retry_after=retry_after,
    )

"""The load generator: closed-loop and fixed-rate senders, run in a child process.

By default it speaks HTTP/1.1 keep-alive over raw asyncio streams. Measured on the 2-core
machines, one httpx.AsyncClient tops out at ~600-900 requests/s and gets slower as concurrency
grows (385/s at 16 connections) while the bare endpoint's process sat at 11-27% CPU: the client,
not the server, was being measured. The raw client drove the same bare endpoint at ~3,300/s
with the server process at ~77% CPU. `client="httpx"` keeps the httpx path for comparison.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from api.scenarios import Delivery
from warroom.kinds import TimelineKind

__all__ = [
    "LoadGenerator",
    "RawConnection",
    "closed_loop",
    "drive_clock",
    "drive_closed",
    "drive_open",
    "drive_reads",
    "open_loop",
]

T = TypeVar("T")
Post = Callable[[Delivery], Awaitable[tuple[int, bytes]]]


class RawConnection:
    """One keep-alive HTTP/1.1 connection; enough protocol for POSTing JSON and reading the answer."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self._reader, self._writer, self._host = reader, writer, host

    @classmethod
    async def open(cls, base_url: str) -> RawConnection:
        url = urlsplit(base_url)
        reader, writer = await asyncio.open_connection(url.hostname, url.port)
        return cls(reader, writer, f"{url.hostname}:{url.port}")

    async def post(self, path: str, delivery: Delivery) -> tuple[int, bytes]:
        head = "".join(f"{name}: {value}\r\n" for name, value in delivery.headers.items())
        self._writer.write(
            f"POST {path} HTTP/1.1\r\nhost: {self._host}\r\ncontent-length: {len(delivery.body)}\r\n{head}\r\n".encode()
            + delivery.body
        )
        return await self._response()

    async def _response(self) -> tuple[int, bytes]:
        """The status and body of the next response on the connection."""
        status = int((await self._reader.readline()).split(b" ", 2)[1])
        length = 0
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self._reader.readexactly(length)

    async def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        head = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        self._writer.write(f"GET {path} HTTP/1.1\r\nhost: {self._host}\r\n{head}\r\n".encode())
        return await self._response()

    def close(self) -> None:
        self._writer.close()


async def closed_loop(posts: list[Post], deliveries: list[Delivery]) -> tuple[list[float], list[dict], float]:
    """One worker per poster sends back to back; returns latencies, 202 bodies and wall time."""
    queue = iter(deliveries)
    latencies: list[float] = []
    bodies: list[dict] = []

    async def worker(post: Post) -> None:
        for delivery in queue:
            started = time.perf_counter()
            status, body = await post(delivery)
            latencies.append(time.perf_counter() - started)
            if status != 202:
                raise RuntimeError(f"expected 202, got {status}: {body[:300]!r}")
            bodies.append(json.loads(body))

    started = time.perf_counter()
    await asyncio.gather(*(worker(post) for post in posts))
    return latencies, bodies, time.perf_counter() - started


async def open_loop(post: Post, deliveries: list[Delivery], rate: float) -> tuple[list[float], int, float]:
    """Send at a fixed rate whatever the answers do (no coordinated omission): each latency is
    measured from the moment its request was due. Returns latencies, failures and wall time."""
    latencies: list[float] = []
    failures = 0
    started = time.perf_counter()

    async def one(due: float, delivery: Delivery) -> None:
        nonlocal failures
        try:
            status, _ = await post(delivery)
        except (OSError, asyncio.IncompleteReadError, httpx.HTTPError):
            failures += 1
            return
        latencies.append(time.perf_counter() - due)
        failures += status != 202

    tasks = []
    for n, delivery in enumerate(deliveries):
        due = started + n / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due, delivery)))
    await asyncio.gather(*tasks)
    return latencies, failures, time.perf_counter() - started


def _httpx(base_url: str, connections: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits)


def _httpx_post(client: httpx.AsyncClient, path: str) -> Post:
    async def post(delivery: Delivery) -> tuple[int, bytes]:
        response = await client.post(path, content=delivery.body, headers=delivery.headers)
        return response.status_code, response.content

    return post


class _RawPool:
    """Idle raw connections handed out per request, opening more when all are busy. Connections
    idle longer than uvicorn's keep-alive timeout (5 s) are dropped, since the server closed them."""

    MAX_IDLE_SECONDS = 4.0

    def __init__(self, base_url: str, path: str) -> None:
        self._base_url, self._path = base_url, path
        self._idle: list[tuple[float, RawConnection]] = []

    async def post(self, delivery: Delivery) -> tuple[int, bytes]:
        connection = None
        while self._idle and connection is None:
            since, candidate = self._idle.pop()
            if time.monotonic() - since < self.MAX_IDLE_SECONDS:
                connection = candidate
            else:
                candidate.close()
        connection = connection or await RawConnection.open(self._base_url)
        answer = await connection.post(self._path, delivery)
        self._idle.append((time.monotonic(), connection))
        return answer

    def close(self) -> None:
        for _, connection in self._idle:
            connection.close()


def drive_closed(
    base_url: str, path: str, deliveries: list[Delivery], concurrency: int, warmup: int = 0, client: str = "raw"
) -> tuple[list[float], list[dict], float]:
    """Load-generator process: `warmup` untimed deliveries, then the rest back to back over
    `concurrency` keep-alive connections."""

    async def go() -> tuple[list[float], list[dict], float]:
        if client == "httpx":
            async with _httpx(base_url, concurrency) as shared:
                posts = [_httpx_post(shared, path)] * concurrency
                await closed_loop(posts, deliveries[:warmup])
                return await closed_loop(posts, deliveries[warmup:])
        connections = [await RawConnection.open(base_url) for _ in range(concurrency)]
        posts = [lambda d, c=c: c.post(path, d) for c in connections]
        try:
            await closed_loop(posts, deliveries[:warmup])
            return await closed_loop(posts, deliveries[warmup:])
        finally:
            for connection in connections:
                connection.close()

    return asyncio.run(go())


def drive_reads(
    base_url: str, path: str, requests: int, concurrency: int, headers: dict[str, str] | None = None
) -> tuple[list[float], dict[int, int], float]:
    """Load-generator process: `requests` GETs of `path` back to back over `concurrency`
    keep-alive connections (a refresh surge); latencies, the count per status code, seconds."""

    async def go() -> tuple[list[float], dict[int, int], float]:
        connections = [await RawConnection.open(base_url) for _ in range(concurrency)]
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        remaining = iter(range(requests))

        async def worker(connection: RawConnection) -> None:
            for _ in remaining:
                began = time.perf_counter()
                status, _body = await connection.get(path, headers)
                latencies.append(time.perf_counter() - began)
                statuses[status] = statuses.get(status, 0) + 1

        started = time.perf_counter()
        try:
            await asyncio.gather(*(worker(c) for c in connections))
        finally:
            for connection in connections:
                connection.close()
        return latencies, statuses, time.perf_counter() - started

    return asyncio.run(go())


def drive_open(
    base_url: str, path: str, deliveries: list[Delivery], rate: float, client: str = "raw"
) -> tuple[list[float], int, float]:
    async def go() -> tuple[list[float], int, float]:
        if client == "httpx":
            async with _httpx(base_url, 256) as shared:
                return await open_loop(_httpx_post(shared, path), deliveries, rate)
        pool = _RawPool(base_url, path)
        try:
            return await open_loop(pool.post, deliveries, rate)
        finally:
            pool.close()

    return asyncio.run(go())


def drive_clock(base_url: str, api_token: str, deliveries: list[Delivery]) -> list[tuple[float, float]]:
    """One fresh incident at a time: from its first alert's POST to a status-page post on its
    timeline, and to its first customer comms draft."""

    async def go() -> list[tuple[float, float]]:
        clocks: list[tuple[float, float]] = []
        auth = {"authorization": f"Bearer {api_token}"}
        async with _httpx(base_url, 4) as http:
            for delivery in deliveries:
                started = time.perf_counter()
                response = await http.post("/webhooks/sentry", content=delivery.body, headers=delivery.headers)
                incident_id = response.json()["incident_id"]
                status_at = drafted_at = None
                while status_at is None or drafted_at is None:
                    incident = (await http.get(f"/api/incidents/{incident_id}", headers=auth)).json()
                    kinds = {e["kind"] for e in incident["timeline"]}
                    now = time.perf_counter() - started
                    status_at = status_at if status_at is not None or TimelineKind.STATUS_PAGE not in kinds else now
                    drafted_at = (
                        drafted_at if drafted_at is not None or TimelineKind.COMMS_DRAFTED not in kinds else now
                    )
                    if now > 30:
                        raise RuntimeError(f"incident {incident_id}: no status-page post or comms draft in 30 s")
                    await asyncio.sleep(0.002)
                clocks.append((status_at, drafted_at))
        return clocks

    return asyncio.run(go())


class LoadGenerator:
    """A child process that runs the drivers, so client and server do not share one GIL."""

    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))

    def __call__(self, driver: Callable[..., T], *args: Any) -> T:
        return self._pool.submit(driver, *args).result()

    def start(self, driver: Callable[..., T], *args: Any) -> Future[T]:
        """Run `driver` without waiting for it (a background storm while another one measures)."""
        return self._pool.submit(driver, *args)

    def close(self) -> None:
        self._pool.shutdown()

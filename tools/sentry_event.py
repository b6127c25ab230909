"""A Sentry event, as the investigation reads it: what was raised, where in our code, what led up.

Sentry's event JSON keeps the interesting parts in untyped `entries` (`exception`, `breadcrumbs`,
…) in the SDK's own order: chained exceptions oldest first, stack frames outermost call first,
breadcrumbs oldest first. `parse_event` turns that into typed values in the order a responder
reads them: the exception that was raised first, its in-app frames from where it was raised
outwards, and the last breadcrumbs before it. Every string in here came from the application and
its users: it is untrusted text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

__all__ = ["Breadcrumb", "SentryEvent", "SentryException", "StackFrame", "parse_event"]

_DATETIME = TypeAdapter(datetime)


class StackFrame(BaseModel):
    index: int = Field(description="its place counted from the innermost of all the exception's frames")
    function: str | None = None
    module: str | None = None
    filename: str | None = None
    abs_path: str | None = None
    lineno: int | None = None
    context_line: str | None = Field(default=None, description="the source line itself, when Sentry has it")


class SentryException(BaseModel):
    type: str | None = None
    value: str | None = None
    module: str | None = None
    handled: bool | None = None
    frames: list[StackFrame] = Field(default_factory=list, description="in-app frames, where it was raised first")


class Breadcrumb(BaseModel):
    index: int = Field(description="its place in the event's whole list, oldest first")
    timestamp: datetime | None = None
    type: str | None = None
    category: str | None = None
    level: str | None = None
    message: str | None = None
    data: dict[str, Any] | None = None


class SentryEvent(BaseModel):
    event_id: str
    issue_id: str | None = None
    title: str
    message: str | None = None
    platform: str | None = None
    date_created: datetime | None = None
    release: str | None = None
    environment: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    exceptions: list[SentryException] = Field(
        default_factory=list, description="the raised exception first, then the ones it was chained from"
    )
    breadcrumbs: list[Breadcrumb] = Field(default_factory=list, description="the last ones, oldest first")

    @property
    def exception(self) -> SentryException | None:
        """The exception that was raised (the one the issue is named after)."""
        return self.exceptions[0] if self.exceptions else None

    @property
    def top_in_app_frame(self) -> StackFrame | None:
        """The frame of our own code closest to where the error was raised."""
        return next((e.frames[0] for e in self.exceptions if e.frames), None)


def parse_event(data: dict[str, Any], *, breadcrumbs: int = 10) -> SentryEvent:
    """Sentry's event JSON (`/issues/{id}/events/latest/`) as a `SentryEvent`, keeping the last
    `breadcrumbs` breadcrumbs. Unknown or malformed entries are skipped, never an error."""
    tags = {str(t["key"]): str(t["value"]) for t in data.get("tags") or [] if isinstance(t, dict) and "key" in t}
    release = data.get("release")
    entries = [e for e in data.get("entries") or [] if isinstance(e, dict)]
    crumbs = [
        _breadcrumb(n, crumb) for n, crumb in enumerate(_values(entries, "breadcrumbs")) if isinstance(crumb, dict)
    ]
    return SentryEvent(
        event_id=str(data.get("eventID") or data.get("id")),
        issue_id=_str(data.get("groupID")),
        title=str(data.get("title") or ""),
        message=data.get("message") or None,
        platform=data.get("platform"),
        date_created=_datetime(data.get("dateCreated")),
        release=_str(release.get("version")) if isinstance(release, dict) else tags.get("release"),
        environment=tags.get("environment"),
        tags=tags,
        exceptions=[_exception(value) for value in reversed(_values(entries, "exception")) if isinstance(value, dict)],
        breadcrumbs=crumbs[-breadcrumbs:] if breadcrumbs > 0 else [],
    )


def _values(entries: list[dict[str, Any]], kind: str) -> list[Any]:
    for entry in entries:
        if entry.get("type") == kind and isinstance(entry.get("data"), dict):
            values = entry["data"].get("values")
            return values if isinstance(values, list) else []
    return []


def _exception(value: dict[str, Any]) -> SentryException:
    stacktrace = value.get("stacktrace") if isinstance(value.get("stacktrace"), dict) else {}
    innermost_first = list(reversed(stacktrace.get("frames") or []))
    frames = [(n, f) for n, f in enumerate(innermost_first) if isinstance(f, dict) and f.get("inApp")]
    mechanism = value.get("mechanism") if isinstance(value.get("mechanism"), dict) else {}
    return SentryException(
        type=_str(value.get("type")),
        value=_str(value.get("value")),
        module=_str(value.get("module")),
        handled=mechanism.get("handled") if isinstance(mechanism.get("handled"), bool) else None,
        frames=[_frame(n, frame) for n, frame in frames],
    )


def _frame(index: int, frame: dict[str, Any]) -> StackFrame:
    lineno = frame.get("lineNo") if isinstance(frame.get("lineNo"), int) else None
    context_line = next(
        (
            str(line[1])
            for line in frame.get("context") or []
            if isinstance(line, list) and len(line) == 2 and line[0] == lineno
        ),
        None,
    )
    return StackFrame(
        index=index,
        function=_str(frame.get("function")),
        module=_str(frame.get("module")),
        filename=_str(frame.get("filename")),
        abs_path=_str(frame.get("absPath")),
        lineno=lineno,
        context_line=context_line if lineno is not None else None,
    )


def _breadcrumb(index: int, crumb: dict[str, Any]) -> Breadcrumb:
    return Breadcrumb(
        index=index,
        timestamp=_datetime(crumb.get("timestamp")),
        type=_str(crumb.get("type")),
        category=_str(crumb.get("category")),
        level=_str(crumb.get("level")),
        message=_str(crumb.get("message")),
        data=crumb.get("data") if isinstance(crumb.get("data"), dict) else None,
    )


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _datetime(value: Any) -> datetime | None:
    """ISO 8601 or a Unix timestamp, as SDKs send either; anything else is unknown."""
    try:
        return _DATETIME.validate_python(value) if value is not None else None
    except ValidationError:
        return None

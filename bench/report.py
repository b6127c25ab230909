"""The benchmark's results as the table `make bench` prints: each measure, its result, its target."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from bench.year_bench import report_rows

__all__ = ["summary_table"]


def _mark(ok: bool) -> str:
    return "[green]ok[/]" if ok else "[red]MISSED[/]"


def _throughput_rows(tp: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    s, a = tp["sentry"], tp["alertmanager"]
    rounds = s.get("round_ratios", [s["ratio"]])
    return [
        (
            "bare endpoint (same bodies)",
            f"{s['bare']['per_second']:.0f}/s, p50 {s['bare']['p50_ms']} ms, p99 {s['bare']['p99_ms']} ms",
            "",
            "",
        ),
        (
            "warroom /webhooks/sentry",
            f"{s['warroom']['per_second']:.0f} alerts/s, p50 {s['warroom']['p50_ms']} ms, "
            f"p99 {s['warroom']['p99_ms']} ms",
            "",
            "",
        ),
        (
            "ratio warroom / bare",
            f"{s['ratio']:.2f}" + (f" (median of {', '.join(f'{r:.2f}' for r in rounds)})" if len(rounds) > 1 else ""),
            f">= {tp['target_ratio']}",
            _mark(tp["ok"]),
        ),
        (
            f"/webhooks/alertmanager, groups of {a['group_size']}",
            f"{a['warroom']['per_second']:.0f} groups/s = {a['alerts_per_second']:.0f} alerts/s, p99 "
            f"{a['warroom']['p99_ms']} ms (bare {a['bare']['per_second']:.0f}/s, ratio {a['ratio']:.2f})",
            "",
            "",
        ),
    ]


def _fixed_rate_rows(rate: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [
        (
            f"fixed rate {rate['rate']:g}/s, {rate['requests']} alerts",
            f"p50 {rate['p50_ms']} ms, p99 {rate['p99_ms']} ms, max {rate['max_ms']} ms, {rate['failures']} failed",
            f"p99 < {rate['target_p99_ms']:g} ms",
            _mark(rate["ok"]),
        )
    ]


def _storm_rows(st: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [
        (
            f"storm: {st['events']} events, one issue",
            f"{st['incidents']} incident, {st['alerts_stored']} stored, {st['lost']} lost, {st['duplicates']} duplicates, "
            f"{st['redeliveries_recognised']}/{st['redeliveries']} redeliveries recognised, {st['per_second']:.0f}/s",
            "1 / all / 0 / 0 / all",
            _mark(st["ok"]),
        ),
        (
            "storm memory (API process RSS)",
            f"growth by quarter {st['rss_growth_kib_by_quarter']} KiB; peak +{st['peak_rss_growth_kib']} KiB",
            "bounded",
            "",
        ),
        *(
            [("storm memory (worker process RSS)", f"growth by quarter {worker} KiB", "bounded", "")]
            if any(worker := st.get("worker_rss_growth_kib_by_quarter", []))
            else []
        ),
    ]


def _clock_rows(rc: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [
        (
            f"alert -> status page, {rc['incidents']} fresh incidents"
            + (
                f" during a {rc['storm']['rate']:g}/s storm (its p99 {rc['storm']['p99_ms']} ms)"
                if "storm" in rc
                else ""
            ),
            f"p50 {rc['status_page_p50_ms']} ms, p99 {rc['status_page_p99_ms']} ms",
            f"p99 < {rc['target_p99_ms'] / 1000:g} s",
            _mark(rc["ok"]),
        ),
        (
            f"alert -> first comms draft, {rc['incidents']} fresh incidents",
            f"p50 {rc['comms_draft_p50_ms']} ms, p99 {rc['comms_draft_p99_ms']} ms",
            "< 5 min (playbooks)",
            "",
        ),
    ]


def _surge_rows(su: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    ratio_ok = su["json_ratio"] >= su["target_ratio"]
    return [
        (
            f"/status.json, {su.get('json_readers', su['readers'])} readers during a P0",
            f"{su['json']['per_second']}/s vs bare {su['bare']['per_second']}/s = {su['json_ratio']}x; "
            f"p99 {su['json']['p99_ms']} ms",
            f">= {su['target_ratio']}x",
            _mark(ratio_ok),
        ),
        (
            f"/status (HTML), {su['readers']} readers",
            f"{su['html']['per_second']}/s = {su['html_ratio']}x of bare JSON at {su['readers']} readers; "
            f"p99 {su['html']['p99_ms']} ms",
            f">= {su['target_ratio']}x",
            _mark(su["html_ratio"] >= su["target_ratio"]),
        ),
        (
            "conditional GET with the ETag",
            f"{su['conditional_304']}/{su['conditional_total']} answered 304",
            "all",
            _mark(su["conditional_304"] == su["conditional_total"]),
        ),
    ]


ROWS = {
    "throughput": _throughput_rows,
    "fixed_rate": _fixed_rate_rows,
    "storm": _storm_rows,
    "response_clock": _clock_rows,
    "status_surge": _surge_rows,
    "year": report_rows,
}


def summary_table(results: dict[str, Any]) -> Table:
    table = Table(title="warroom ingest benchmark", title_justify="left")
    for column in ("measure", "result", "target", ""):
        table.add_column(column)
    for name, rows in ROWS.items():
        for row in rows(results[name]) if name in results else []:
            table.add_row(*row)
    return table

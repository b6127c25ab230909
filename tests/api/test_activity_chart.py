"""The incident's picture: events per minute, bucketed by hand-checkable arithmetic, drawn as an
SVG image with the humans' and warroom's moments marked, behind the web sign-in."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from api.routers.web.charts import MAX_BARS, Bucket, Marker, events_svg, per_minute
from tests.conftest import API_TOKEN

T0 = datetime(2026, 11, 3, 8, 0, 30, tzinfo=UTC)


def test_events_are_counted_per_minute_from_the_first_minute():
    points = [(T0, 3), (T0 + timedelta(seconds=20), 2), (T0 + timedelta(minutes=2, seconds=5), 7)]
    buckets = per_minute(points, T0, T0 + timedelta(minutes=3))
    # minutes start at 08:00 (the first event's minute): 08:00 has 3+2, 08:01 none, 08:02 has 7, 08:03 none
    assert [(b.start.strftime("%H:%M"), b.per_minute) for b in buckets] == [
        ("08:00", 5.0),
        ("08:01", 0.0),
        ("08:02", 7.0),
        ("08:03", 0.0),
    ]


def test_a_long_incident_is_drawn_in_wider_buckets_and_the_rate_stays_per_minute():
    points = [(T0 + timedelta(minutes=m), 4) for m in range(240)]  # 4 a minute for four hours
    buckets = per_minute(points, T0, T0 + timedelta(minutes=240))
    assert len(buckets) <= MAX_BARS
    assert buckets[1].start - buckets[0].start == timedelta(minutes=5)  # 241 minutes / 60 -> 5-minute buckets
    assert all(b.per_minute == 4.0 for b in buckets[:-1])


def test_the_chart_is_an_svg_with_the_rate_and_each_kind_of_marker():
    buckets = [Bucket(T0, 2.0), Bucket(T0 + timedelta(minutes=1), 9.0)]
    marks = [Marker(T0, "severity"), Marker(T0 + timedelta(minutes=1), "acknowledged")]
    svg = events_svg(buckets, marks)
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    legend = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert "events / min" in legend and "severity" in legend and "acknowledged" in legend


def test_the_incident_page_shows_its_chart_and_the_image_is_behind_sign_in(client, p0_incident):
    incident_id = p0_incident
    assert client.get(f"/incidents/{incident_id}/chart.svg", follow_redirects=False).status_code in (303, 401)
    assert client.post("/login", data={"token": API_TOKEN, "next": "/incidents"}, follow_redirects=False).is_redirect
    page = client.get(f"/incidents/{incident_id}").text
    assert f'src="/incidents/{incident_id}/chart.svg"' in page and "Peak " in page
    chart = client.get(f"/incidents/{incident_id}/chart.svg")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    assert "status page" in chart.text  # the outage was posted to the page: its marker is drawn

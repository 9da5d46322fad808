"""The dashboard's pure parts: which answer is a response, the percentile,
the query parameters, CSV cells, durations on the page, the SVG charts."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, date, datetime, timedelta

import pytest

from inbox.metrics.charts import Bar, bar_chart, nice_ceiling, stacked_chart
from inbox.metrics.dashboard import Column, Table, to_csv
from inbox.metrics.facts import Msg, derive
from inbox.metrics.figures import percentile_cont, stat_of
from inbox.metrics.query import MAX_DAYS, DashboardError, parse_query
from inbox.web.dashboard import duration

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def msg(n: int, direction: str, minutes: int, *, auto: bool = False, channel: str = "email",
        outcome: str | None = None, author: int | None = None) -> Msg:
    return Msg(n, channel, direction, auto, T0 + timedelta(minutes=minutes), author, outcome)


def test_a_response_answers_the_earliest_customer_message_since_our_last_answer() -> None:
    d = derive([
        msg(1, "outbound", 0),  # we wrote first: answers nothing
        msg(2, "inbound", 10, channel="sms"),
        msg(3, "inbound", 20, auto=True),  # an out-of-office: not a customer message
        msg(4, "inbound", 30),
        msg(5, "outbound", 70, author=7),  # answers 2 (60 minutes)
        msg(6, "outbound", 80),  # nothing waiting
        msg(7, "inbound", 90, channel="call"),
        msg(8, "outbound", 95, channel="call", outcome="no answer"),  # reached nobody
        msg(9, "outbound", 100, auto=True),  # automatic: answers nothing
        msg(10, "outbound", 130, channel="call", outcome="reached"),  # answers 7 (40 minutes)
        msg(11, "inbound", 140),  # still waiting
    ])
    assert [(r.answer.id, r.customer.id, r.seconds, r.first) for r in d.responses] == [
        (5, 2, 3600, True), (10, 7, 2400, False)]
    assert d.responses[0].customer.channel == "sms"
    assert d.opened is not None
    assert d.opened.id == 1


def test_no_messages_no_facts() -> None:
    d = derive([])
    assert (d.responses, d.opened) == ([], None)


@pytest.mark.parametrize("size", [1, 2, 3, 10, 11, 97])
def test_percentile_is_postgresqls_percentile_cont(size: int) -> None:
    rng = random.Random(size)
    values = sorted(rng.randrange(0, 100_000) for _ in range(size))
    stat = stat_of(values)
    assert stat.count == size
    assert stat.median == pytest.approx(statistics.median(values))
    if size > 1:
        assert stat.p90 == pytest.approx(
            statistics.quantiles(values, n=10, method="inclusive")[8])
    assert percentile_cont([1.0, 2.0, 3.0, 4.0], 0.9) == pytest.approx(3.7)
    assert stat_of([]).count == 0


def test_query_parameters() -> None:
    now = datetime(2026, 3, 29, 23, 30, tzinfo=UTC)  # 00:30 on the 30th in London (BST)
    q = parse_query({}, "Europe/London", now)
    assert (q.start, q.end, q.days) == (date(2026, 3, 1), date(2026, 3, 30), 30)
    start, end = q.bounds
    assert start == datetime(2026, 3, 1, 0, 0, tzinfo=UTC)  # GMT
    assert end == datetime(2026, 3, 30, 23, 0, tzinfo=UTC)  # midnight BST
    q = parse_query({"from": "2026-01-01", "to": "2026-01-31", "channel": "SMS",
                     "team": "-", "rep": "12"}, "Europe/London", now)
    assert (q.channel, q.team, q.rep_id) == ("sms", "", 12)
    assert q.params() == {"from": "2026-01-01", "to": "2026-01-31", "channel": "sms",
                          "team": "", "rep": "12"}
    for bad, message in (({"from": "2026-02-30"}, "from: '2026-02-30' is not a date"),
                         ({"from": "2026-03-05", "to": "2026-03-01"}, "starts"),
                         ({"from": "2020-01-01"}, f"at most {MAX_DAYS}"),
                         ({"channel": "fax"}, "unknown channel 'fax'"),
                         ({"rep": "anna"}, "rep must be a user id")):
        with pytest.raises(DashboardError, match=message):
            parse_query(bad, "Europe/London", now)


def test_csv_cells_are_plain_and_never_formulas() -> None:
    table = Table("t", "T", (Column("label", "Label"), Column("n", "N", "int"),
                             Column("s", "S", "seconds"), Column("a", "A", "share"),
                             Column("at", "At", "datetime")),
                  [("=HYPERLINK(\"x\")", 3, 12.25, 2 / 3, T0), ("-1+1", 0, None, None, None),
                   ("Ann, \"Jr\"", 1, 7.0, 1.0, None)])
    assert to_csv(table).splitlines() == [
        "label,n,s,a,at",
        "\"'=HYPERLINK(\"\"x\"\")\",3,12.2,0.6667,2026-03-02T09:00:00+00:00",
        "'-1+1,0,,,",
        "\"Ann, \"\"Jr\"\"\",1,7.0,1.0000,",
    ]


def test_durations_read_like_a_person_writes_them() -> None:
    assert [duration(s) for s in (None, 20, 59 * 60, 3600, 3 * 3600 + 5 * 60, 50 * 3600)] == [
        "–", "< 1 min", "59 min", "1 h 00 min", "3 h 05 min", "2 d 2 h"]


def test_charts_are_labelled_and_escape_their_text() -> None:
    chart = str(bar_chart("c1", "Times <by day>", "See the table.", [
        Bar("03-01", 3600.0, 7200.0, tip="<script>"), Bar("03-02", None)],
        mark_name="90th percentile"))
    assert chart.startswith('<svg class="chart" id="c1" role="img"')
    assert 'aria-labelledby="c1-t c1-d"' in chart
    assert "<title id=\"c1-t\">Times &lt;by day&gt;</title>" in chart
    assert "<script>" not in chart
    assert "&lt;script&gt;" in chart
    assert chart.count("<rect") == 2  # one bar (the gap has none) and the legend
    stacked = str(stacked_chart("c2", "Backlog", "d", [("new", [1, 2]), ("old", [0, 3])],
                                ["email", "sms"], lambda a, c, n: f"{a} {c} {n}"))
    assert stacked.count("<title>") == 3  # one per non-empty segment
    assert [nice_ceiling(v) for v in (0.3, 1, 7, 21.6, 26, 240)] == [
        pytest.approx(0.32), 1, 8, 24, 32, 240]

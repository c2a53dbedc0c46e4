"""Prometheus metrics of `qualibot serve`, served at `/metrics`.

Process-wide (prometheus-client's default registry): one `serve` process, one set.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS = Counter(
    "qualibot_events", "Behavioural events and identifies received, by outcome", ["status"]
)
EVENTS_BATCH_SECONDS = Histogram(
    "qualibot_events_batch_seconds",
    "Time to validate, store and rescore one POST /events request (with its wait for the"
    " write it is grouped in)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
SCORES_REDONE = Counter(
    "qualibot_event_scores_redone",
    "Leads of an event batch scored again once locked, another writer (a replica) having"
    " scored them meanwhile",
)
ALERTS_QUEUED = Counter("qualibot_alerts_queued", "Alerts written to the outbox", ["rule"])
ALERTS_SENT = Counter("qualibot_alerts_sent", "Alerts posted to Slack", ["kind"])
ALERTS_FAILED = Counter("qualibot_alerts_failed", "Alert posts that failed (will be retried)")
ALERT_LATENCY_SECONDS = Histogram(
    "qualibot_alert_latency_seconds",
    "From the alert row being written to its Slack post",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300),
)
OUTBOX_DEPTH = Gauge("qualibot_outbox_depth", "Alerts waiting to be posted (pending)")
DIGESTS_POSTED = Counter("qualibot_digests_posted", "Digests posted to Slack", ["name"])
NUDGES_SENT = Counter("qualibot_nudges_sent", "Reminders sent to reps for open conversations")

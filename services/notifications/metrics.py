"""The service's own metrics; health, readiness and HTTP metrics come from the shared runtime."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

SENT = Counter(
    "notifications_sent_total",
    "Delivery attempts by what they came to",
    ["kind", "channel", "outcome"],
)
# outcome: sent, retry (will try again), held (quiet hours), failed (gave up),
# dropped (no address, email turned off, member gone, expired)
DELIVERY_LATENCY = Histogram(
    "notifications_delivery_latency_seconds",
    "From the event that asked for a message to the mail server accepting it",
    ["kind", "channel"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600),
)
PURGED = Counter(
    "notifications_purged_total",
    "Finished delivery records deleted after the retention period",
    ["kind", "status"],
)

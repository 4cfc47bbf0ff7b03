"""Watching a running server: one log line per request, Prometheus metrics, readiness.

Kept off the hot path: the request observer is a plain ASGI wrapper that reads headers it is handed anyway,
and the database-backed gauges are computed when /metrics is scraped, not per request."""

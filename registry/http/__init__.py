"""The ASGI edge: request guards, caches, persisted queries, idempotency, logs and metrics,
the export's file serving. It turns HTTP into calls of the API, the pages and the services."""

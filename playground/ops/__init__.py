"""What an operator reads: `/healthz`, `/metrics` (Prometheus) and `/api/schema` (OpenAPI)."""

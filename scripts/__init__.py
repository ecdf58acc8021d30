"""Developer tooling: the local stack that `make run` and the integration tests start."""

"""The editor's server half: ruff formats a snippet and lints it for the mistakes worth marking."""

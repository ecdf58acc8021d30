"""Shares: frozen, public, read-only copies of finished runs, and their exports."""

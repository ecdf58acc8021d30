"""Fault tests: parts of a real stack killed, restarted or cut off mid-run."""

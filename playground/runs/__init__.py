"""Runs: the run API, the event streams and the websocket that follows them."""

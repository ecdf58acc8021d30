"""`manage.py record_runs`: store finished runs and declare lost ones, until stopped."""
from __future__ import annotations

import os
import signal
import socket
import threading
from typing import Any

from django.core.management.base import BaseCommand

from playground.runs import recorder, streams


class Command(BaseCommand):
    help = "Store finished runs from the finished stream and declare runs of lost workers."

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopping.set())
        consumer = f"{socket.gethostname()}-{os.getpid()}"
        recorder.serve(streams.client(), consumer, stopping)

"""Worker command line: `python -m trainer worker` and `python -m trainer datasets pull`."""
from __future__ import annotations

import argparse
import os
import sys

from trainer import datasets, devices
from trainer.config import INSECURE_ENV, WorkerSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trainer")
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("worker", help="start a Celery worker for this host's device class")
    w.add_argument("--concurrency", type=int, default=WorkerSettings.from_env().concurrency)
    w.add_argument("--loglevel", default="INFO")
    d = sub.add_parser("datasets", help="fill or list the read-only Keras dataset cache")
    d.add_argument("action", choices=["pull", "list"])
    args = parser.parse_args(argv)
    if args.command == "datasets":
        return datasets.pull() if args.action == "pull" else datasets.show()
    from trainer.pool import sandbox_mode

    mode, why = sandbox_mode(WorkerSettings.from_env())
    if mode == "none" and not WorkerSettings.from_env().insecure:
        print(f"This worker refuses to run untrusted code: {why}.\nRun it as root, or on a "
              f"single-user machine set {INSECURE_ENV}=1 to run snippets WITHOUT a sandbox.",
              file=sys.stderr)
        return 2
    device_class = devices.detect_class(WorkerSettings.from_env().device_class)
    os.environ["TRAINER_DEVICE"] = device_class
    os.environ["TRAINER_CONCURRENCY"] = str(args.concurrency)
    keep_django_out()
    from trainer.celery import app

    app.worker_main([
        "worker", "--pool=threads", f"--concurrency={args.concurrency}", "-Q", device_class,
        "--without-gossip", "--without-mingle", "--without-heartbeat", "-O", "fair",
        f"--loglevel={args.loglevel}", f"--hostname={device_class}@%h-{os.getpid()}",
    ])
    return 0


def keep_django_out() -> None:
    """Make `import django` fail in this process. A worker holds nothing of the web side, even
    where the web side's packages share its virtualenv (`make run`); kombu would otherwise import
    django.utils.functional whenever it is installed (it serialises Django's lazy strings)."""
    sys.modules["django"] = None  # type: ignore[assignment]


if __name__ == "__main__":
    sys.exit(main())

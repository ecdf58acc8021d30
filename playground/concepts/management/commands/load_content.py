"""`manage.py load_content`: validate the content folder and make the database match it."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from playground.concepts.source import CONTENT_ROOT, ContentError, read_content
from playground.concepts.sync import sync_content


class Command(BaseCommand):
    help = "Load concepts, examples and tours from files; safe to run again and again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", type=Path, default=CONTENT_ROOT,
                            help="content folder (default: the app's content/)")
        parser.add_argument("--check", action="store_true",
                            help="only validate the files; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            content = read_content(options["path"])
        except ContentError as exc:
            raise CommandError(str(exc)) from exc
        steps = sum(len(t.steps) for t in content.tours)
        examples = sum(len(c.examples) for c in content.concepts)
        found = (f"{len(content.concepts)} concepts, {examples} examples, "
                 f"{len(content.tours)} tours, {steps} steps")
        if options["check"]:
            self.stdout.write(f"content OK: {found}")
            return
        stats = sync_content(content)
        self.stdout.write(
            f"loaded {found}: {stats['created']} created, {stats['updated']} updated, "
            f"{stats['deleted']} deleted, {stats['unchanged']} unchanged"
        )

"""Data and distribution views together: the tf.data inspector, augmentation grids and the
tf.distribute watcher, installed and finished as one part of the instrumentation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from contract.limits import Limits
from trainer.instrument.augment import AugmentReporter
from trainer.instrument.datasets import DataLimits, DatasetWatcher
from trainer.instrument.distribute import StrategyWatcher
from trainer.instrument.emitter import Emitter
from trainer.instrument.patches import Patches
from trainer.instrument.sources import SourceFile


class DataViews:
    """Owns the three watchers; every failure of theirs is the instrumentation's own."""

    def __init__(self, sender: Emitter, source: SourceFile, limits: Limits | None = None
                 ) -> None:
        limits = limits or Limits()
        self._sender = sender
        self._source = source
        self.limits = limits
        self.augments = AugmentReporter(sender, source, limits.data_event_bytes)
        self.strategies = StrategyWatcher(sender, source, replica_steps=limits.replica_steps)
        self.datasets: DatasetWatcher | None = None

    def install(self, patches: Patches, send_graph: Callable[..., Any] | None) -> None:
        self.datasets = DatasetWatcher(
            self._sender, self._source, send_graph=send_graph,
            limits=DataLimits(self.limits.data_pipelines, self.limits.data_event_bytes),
            on_pipeline=self.augments.pipeline, on_fit=self.augments.model)
        for part in (self.datasets, self.augments, self.strategies):
            try:
                part.install(patches)
            except Exception as error:  # noqa: BLE001 - the other views still work
                self._sender.failed(f"install {type(part).__name__}", error)

    def finish(self) -> None:
        for part in (self.datasets, self.strategies):
            if part is None:
                continue
            try:
                part.finish()
            except Exception as error:  # noqa: BLE001 - never change the run's outcome
                self._sender.failed("data finish", error)

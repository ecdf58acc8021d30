"""matplotlib's backend in the sandbox (`module://trainer.instrument.figure_backend`): Agg draws,
and plt.show() sends each open figure as an `image` event instead of opening a window."""

from __future__ import annotations

from typing import Any

from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

from trainer.instrument import figures

FigureCanvas = FigureCanvasAgg
FigureManager = FigureManagerBase


def show(*args: Any, **kwargs: Any) -> None:
    """plt.show(): the open figures go to the page (then close, as in a notebook)."""
    reporter = figures.reporter()
    if reporter is not None:
        reporter.show("show")

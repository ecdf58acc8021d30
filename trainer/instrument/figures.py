"""Figures as `image` events: matplotlib's plt.show() and the figures still open at the end
(drawn by Agg through figure_backend), and the diagram Keras' plot_model writes; PNG, capped."""

from __future__ import annotations

import base64
import io
import math
import os
import struct
import sys
from typing import Any

import numpy as np
from keras.src.utils import model_visualization

from trainer.instrument.emitter import Emitter
from trainer.instrument.patches import Patches
from trainer.instrument.sources import SourceFile

BACKEND = "module://trainer.instrument.figure_backend"
# Figures of a run may add up to this many times the per-figure cap (they share the run's
# event budget with everything else it sends).
IMAGE_BUDGET_FACTOR = 4
SHRINK_TRIES = 4
MIN_DPI = 12.0  # smaller than this is not worth looking at
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# The reporter plt.show() reaches through the backend module, which matplotlib imports by name.
_reporter: FigureReporter | None = None


def reporter() -> FigureReporter | None:
    return _reporter


def prepare() -> None:
    """In the zygote, before it forks: pyplot (which Keras imports when matplotlib is installed)
    draws through our backend from the start, so a child's install() has nothing to switch."""
    matplotlib = sys.modules.get("matplotlib")
    if matplotlib is not None and "matplotlib.pyplot" in sys.modules:
        matplotlib.use(BACKEND)


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG's header."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE):
        return None
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _plain_saving(figure: Any) -> bool:
    """savefig's colours and padding are the defaults, and Agg draws this figure."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    rc = matplotlib.rcParams
    return (isinstance(figure.canvas, FigureCanvasAgg) and not rc["savefig.transparent"]
            and rc["savefig.facecolor"] == "auto" and rc["savefig.edgecolor"] == "auto"
            and isinstance(rc["savefig.pad_inches"], (int, float))
            and rc["savefig.dpi"] == "figure")


def tight_png(figure: Any) -> bytes | None:
    """The PNG savefig(bbox_inches="tight") writes, from one draw instead of two (it draws once
    to measure and again to save): the figure is drawn whole and the tight box cut from its
    pixels, its padding beyond the figure's edges filled with the figure's colour. None where
    savefig would do more: an artist outside the figure, saving options not the defaults."""
    import matplotlib
    from PIL import Image

    if not _plain_saving(figure):
        return None
    canvas, dpi = figure.canvas, float(figure.dpi)
    canvas.draw()
    tight = figure.get_tightbbox(canvas.get_renderer())
    if tight.x0 < 0 or tight.y0 < 0 or tight.x1 > figure.bbox_inches.x1 or \
            tight.y1 > figure.bbox_inches.y1:
        return None
    pixels = _cut(np.asarray(canvas.buffer_rgba()), figure,
                  tight.padded(matplotlib.rcParams["savefig.pad_inches"]))
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="png", dpi=(dpi, dpi))
    return buffer.getvalue()


def _cut(pixels: np.ndarray, figure: Any, box: Any) -> np.ndarray:
    """The box (in inches) out of the drawn figure, as savefig lays it out: its canvas is the
    box moved to the origin, its height rounded down, and the figure's colour around it."""
    from matplotlib.colors import to_rgba

    dpi = float(figure.dpi)
    margin = math.ceil(max(0.0, -box.x0, -box.y0, box.x1 - figure.bbox_inches.x1,
                           box.y1 - figure.bbox_inches.y1) * dpi) + 1
    face = np.round(np.array(to_rgba(figure.get_facecolor())) * 255).astype(np.uint8)
    framed = np.empty((pixels.shape[0] + 2 * margin, pixels.shape[1] + 2 * margin, 4),
                      np.uint8)
    framed[:] = face
    framed[margin:margin + pixels.shape[0], margin:margin + pixels.shape[1]] = pixels
    width, height = int(box.width * dpi), int(box.height * dpi)
    left = round(box.x0 * dpi) + margin
    top = round(pixels.shape[0] - box.y0 * dpi - height) + margin
    return np.ascontiguousarray(framed[top:top + height, left:left + width])


def _flush_output() -> None:
    """What the program printed before the figure goes out first, so the page shows it above."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001, S110 - the user may have closed it
            pass


class FigureReporter:
    def __init__(self, sender: Emitter, source: SourceFile, max_bytes: int) -> None:
        self._sender = sender
        self._source = source
        self.max_bytes = max_bytes
        self._bytes_left = max_bytes * IMAGE_BUDGET_FACTOR
        self._stopped = False
        self._previous_backend: str | None = None
        self._figures = 0  # numbered across the run, as the page lists them

    # --- installing ---------------------------------------------------------------------
    def install(self, patches: Patches) -> None:
        """Make plt.show() ours (now if matplotlib is loaded, else when it is), and watch
        plot_model's diagram. Runs no TF op and draws nothing."""
        global _reporter
        _reporter = self
        matplotlib = sys.modules.get("matplotlib")
        if matplotlib is None:
            os.environ["MPLBACKEND"] = BACKEND
        elif (current := dict.__getitem__(matplotlib.rcParams, "backend")) != BACKEND:
            self._previous_backend = current
            matplotlib.use(BACKEND)
        original = model_visualization.model_to_dot
        reporter_ = self

        def model_to_dot(model: Any, *args: Any, **kwargs: Any) -> Any:
            dot = original(model, *args, **kwargs)
            if dot is not None:
                reporter_.watch_dot(dot, str(getattr(model, "name", "model")))
            return dot

        patches.replace(model_visualization, "model_to_dot", model_to_dot)

    def uninstall(self) -> None:
        global _reporter
        if _reporter is self:
            _reporter = None
        matplotlib = sys.modules.get("matplotlib")
        if matplotlib is not None and self._previous_backend is not None:
            matplotlib.use(self._previous_backend)

    # --- matplotlib ---------------------------------------------------------------------
    def show(self, origin: str) -> None:
        """Send every open pyplot figure, in the order they were made, and close them."""
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is None:
            return
        from matplotlib._pylab_helpers import Gcf

        managers = sorted(Gcf.get_all_fig_managers(), key=lambda m: m.num)
        if not managers:
            return
        line = self._source.caller_line() if origin == "show" else None
        _flush_output()
        for manager in managers:
            self._figures += 1
            try:
                self.send_figure(manager.canvas.figure, origin, line, f"Figure {self._figures}")
            except Exception as error:  # noqa: BLE001 - a figure that cannot be drawn is skipped
                self._sender.failed("figure", error)
        pyplot.close("all")

    def send_figure(self, figure: Any, origin: str, line: int | None, label: str) -> None:
        dpi = float(figure.dpi)
        data = b""
        for attempt in range(SHRINK_TRIES):
            cut = tight_png(figure) if attempt == 0 else None
            if cut is not None:
                data = cut
            else:
                buffer = io.BytesIO()
                figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
                data = buffer.getvalue()
            if len(data) <= self.max_bytes or dpi <= MIN_DPI:
                break
            dpi = max(MIN_DPI, dpi * 0.9 * math.sqrt(self.max_bytes / len(data)))
        self.send_png(data, origin=origin, line=line, label=label)

    # --- Keras ----------------------------------------------------------------------------
    def watch_dot(self, dot: Any, label: str) -> None:
        """Send the PNG plot_model writes from this diagram (it writes it with `dot.write`)."""
        write = dot.write
        reporter_ = self

        def write_and_show(path: Any, *args: Any, **kwargs: Any) -> Any:
            result = write(path, *args, **kwargs)
            if kwargs.get("format", args[1] if len(args) > 1 else "raw") == "png":
                reporter_.send_file(str(path), label)
            return result

        dot.write = write_and_show

    def send_file(self, path: str, label: str) -> None:
        try:
            with open(path, "rb") as f:
                data = f.read(self.max_bytes + 1)
            self.send_png(data, origin="plot_model", line=self._source.caller_line(),
                          label=label)
        except Exception as error:  # noqa: BLE001
            self._sender.failed("plot_model", error)

    # --- sending --------------------------------------------------------------------------
    def send_png(self, data: bytes, *, origin: str, line: int | None, label: str) -> None:
        """One `image` event; over the cap or the run's budget, one that says so instead."""
        if self._stopped:
            return
        event: dict[str, Any] = {"type": "image", "mime": "image/png", "data": "",
                                 "source": origin, "label": label, "line": line}
        size = png_size(data)
        if size is None or len(data) > self.max_bytes:
            event["note"] = (f"{label} is larger than {self.max_bytes // 1024} KiB as PNG even "
                             f"when shrunk, so it is not shown.")
        elif len(data) > self._bytes_left or self._sender.remaining("image") <= 1:
            self._stopped = True
            event["note"] = "This run has sent as many figures as it may; later ones are not shown."
        else:
            self._bytes_left -= len(data)
            event.update(data=base64.b64encode(data).decode("ascii"), width=size[0],
                         height=size[1])
        self._sender.send(event)

    def finish(self) -> None:
        """Figures still open when the snippet ends are shown too, as a notebook would."""
        try:
            self.show("end")
        except Exception as error:  # noqa: BLE001
            self._sender.failed("figure", error)

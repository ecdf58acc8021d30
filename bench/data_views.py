"""What the data and distribution views cost: install time of the instrumentation with and
without them, an eager Keras layer call (every layer call passes the augmentation check), and
the per-element time of a loop over a dataset, unwatched and watched (the Data tab's timing).

Usage: python -m bench.data_views [--rounds N]. Rounds alternate, and the fastest of each is
printed, since a shared machine's noise only ever adds time.
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any


def install_ms(with_views: bool) -> float:
    """Milliseconds to install the instrumentation, with the data views or without them."""
    from trainer.instrument import Instrumentation, datadist

    original = datadist.DataViews.install
    if not with_views:
        datadist.DataViews.install = lambda self, patches, send_graph: None  # type: ignore[method-assign]
    try:
        instrumentation = Instrumentation(lambda event: None)
        began = time.perf_counter()
        instrumentation.install()
        spent = time.perf_counter() - began
        instrumentation.uninstall()
        return spent * 1000
    finally:
        datadist.DataViews.install = original  # type: ignore[method-assign]


def per_call(run: Callable[[], Any], count: int) -> float:
    """Microseconds per call of the `count` that `run` makes."""
    began = time.perf_counter()
    run()
    return (time.perf_counter() - began) / count * 1e6


def measure(rounds: int) -> dict[str, list[float]]:
    """Each figure once per round, bare and instrumented in turns."""
    import keras
    import tensorflow as tf

    from trainer.instrument import Instrumentation

    tf.constant(1.0).numpy()
    layer, x = keras.layers.Dense(4), tf.ones([2, 4])
    layer(x)
    dataset = tf.data.Dataset.range(8000).batch(4)

    def layer_calls() -> None:
        for _ in range(500):
            layer(x)

    def loop() -> None:
        for _ in dataset:
            pass

    figures: dict[str, list[float]] = {}
    for _ in range(rounds):
        for name, value in (("install without views (ms)", install_ms(False)),
                            ("install with views (ms)", install_ms(True)),
                            ("layer call, bare (µs)", per_call(layer_calls, 500)),
                            ("loop element, bare (µs)", per_call(loop, 2000))):
            figures.setdefault(name, []).append(value)
        instrumentation = Instrumentation(lambda event: None)
        instrumentation.install()
        figures.setdefault("layer call, instrumented (µs)", []).append(per_call(layer_calls, 500))
        # This file is not TensorFlow's: its loop counts as the snippet's, so it is watched.
        figures.setdefault("loop element, watched (µs)", []).append(per_call(loop, 2000))
        instrumentation.uninstall()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    figures = measure(parser.parse_args().rounds)
    for name, values in figures.items():
        print(f"{name:34s} {min(values):9.3f}")
    watched = min(figures["loop element, watched (µs)"]) / min(figures["loop element, bare (µs)"])
    print(f"{'watched / bare loop':34s} {watched:9.2f}")


if __name__ == "__main__":
    main()

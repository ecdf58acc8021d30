"""tf.distribute made visible: each strategy the snippet makes (`replicas`: its replicas and
devices, or the TPU it asked for and why it fell back), and per-replica values as steps run
(`replica_step`: strategy.run's batch split and results, the gradients' all-reduce, reduce)."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf
from tensorflow.python.autograph.core import ag_ctx
from tensorflow.python.autograph.impl import api as autograph
from tensorflow.python.distribute import distribute_lib
from tensorflow.python.distribute import values as distribute_values
from tensorflow.python.util import tf_stack

from trainer.instrument import probes
from trainer.instrument.emitter import Emitter
from trainer.instrument.keras_hooks import KERAS_DIR
from trainer.instrument.patches import Patches
from trainer.instrument.sources import SourceFile
from trainer.instrument.values import finite, short

TF_DIR = os.path.dirname(os.path.abspath(tf.__file__ or ""))
HERE = os.path.dirname(os.path.abspath(__file__))
KERAS_STEPS = {"fit": "fit", "evaluate": "evaluate", "predict": "predict"}
TPU_CORES = 8  # a v2-8 or v3-8 board, what a Colab or Kaggle TPU gives
WOULD = ("TPUStrategy puts one replica on each TPU core: 8 on a v2-8 or v3-8 board, each "
         "taking an eighth of every global batch.")


def _caller() -> tuple[str, Any]:
    """Who called into tf.distribute: `keras` (with its fit/evaluate/predict) or `user`."""
    frame: Any = sys._getframe(2)  # noqa: SLF001
    while frame is not None:
        name = frame.f_code.co_filename
        if not (name.startswith(TF_DIR) or name.startswith(HERE)):
            if not name.startswith(KERAS_DIR):
                return "user", None
            while frame is not None:
                code = frame.f_code
                if code.co_name in KERAS_STEPS and code.co_filename.startswith(KERAS_DIR):
                    return KERAS_STEPS[code.co_name], None
                frame = frame.f_back
            return "keras", None
        frame = frame.f_back
    return "user", None


def _line(source: SourceFile) -> int | None:
    """The snippet's line on the stack; inside AutoGraph's converted code, mapped back to the
    line the learner wrote (as an op's traceback is)."""
    if tf.executing_eagerly():
        return source.caller_line()
    try:
        stack = tf_stack.extract_stack()
        for index in range(len(stack) - 1, -1, -1):
            if source.is_user(stack[index].filename):
                return int(stack[index].lineno)
    except Exception:  # noqa: BLE001, S110 - no mapped stack: the plain one will do
        pass
    return source.caller_line()


def _is_default(strategy: Any) -> bool:
    return type(strategy).__name__ == "_DefaultDistributionStrategy"


def _probed(strategy: Any) -> bool:
    return not _is_default(strategy) and "TPU" not in type(strategy).__name__


def _devices(strategy: Any) -> list[str]:
    try:
        if _is_default(strategy):
            return [d.name for d in tf.config.list_logical_devices()][:1]
        return [str(d) for d in strategy.extended.worker_devices]
    except Exception:  # noqa: BLE001
        return []


class StrategyWatcher:
    """Owns the tf.distribute patches; joins per-replica callbacks into steps."""

    def __init__(self, sender: Emitter, source: SourceFile, *, replica_steps: int = 100
                 ) -> None:
        self._sender = sender
        self._source = source
        self.collector = probes.Collector(self._send_step, replica_steps)
        self._local = threading.local()
        self._fallback: dict[str, Any] | None = None
        self._fallback_sent = False
        self._strategies = 0
        self._sites: dict[tuple[Any, ...], probes.Site] = {}

    def _send_step(self, event: dict[str, Any]) -> bool:
        return self._sender.send(event)

    def install(self, patches: Patches) -> None:
        base = distribute_lib.StrategyBase
        watcher = self
        original_init, original_run = base.__init__, base.run
        original_reduce = base.reduce
        original_all_reduce = distribute_lib.ReplicaContextBase.all_reduce

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807
            original_init(self, *args, **kwargs)
            watcher.created(self)

        def run(self: Any, fn: Any, args: Any = (), kwargs: Any = None, options: Any = None
                ) -> Any:
            return original_run(self, watcher.wrap(self, fn), args, kwargs, options)

        def reduce(self: Any, reduce_op: Any, value: Any, axis: Any = None) -> Any:
            result = original_reduce(self, reduce_op, value, axis)
            watcher.reduced(self, reduce_op, value, result)
            return result

        def all_reduce(self: Any, reduce_op: Any, value: Any, options: Any = None) -> Any:
            result = original_all_reduce(self, reduce_op, value, options)
            watcher.all_reduced(reduce_op, value, result)
            return result

        patches.replace(base, "__init__", __init__)
        patches.replace(base, "run", run)
        patches.replace(base, "reduce", reduce)
        patches.replace(distribute_lib.ReplicaContextBase, "all_reduce", all_reduce)
        self._patch_tpu(patches)

    def _patch_tpu(self, patches: Patches) -> None:
        from tensorflow.python.distribute import tpu_strategy
        from tensorflow.python.distribute.cluster_resolver.tpu import tpu_cluster_resolver

        for owner, step in ((tpu_cluster_resolver.TPUClusterResolver, "TPUClusterResolver()"),
                            (tpu_strategy.TPUStrategyV2, "TPUStrategy(resolver)")):
            patches.replace(owner, "__init__", self._tpu_wrapper(owner.__init__, step))

    def _tpu_wrapper(self, original: Callable[..., None], step: str) -> Callable[..., None]:
        watcher = self

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807
            try:
                original(self, *args, **kwargs)
            except Exception as error:
                watcher.tpu_failed(step, error)
                raise
        return __init__

    # Strategies ------------------------------------------------------------------------------

    def created(self, strategy: Any) -> None:
        try:
            if _is_default(strategy) or self._source.caller_line() is None:
                return
            self._strategies += 1
            self._send_strategy(strategy, self._source.caller_line())
        except Exception as error:  # noqa: BLE001
            self._sender.failed("strategy", error)

    def _send_strategy(self, strategy: Any, line: int | None) -> None:
        extended = strategy.extended
        devices = _devices(strategy)
        event: dict[str, Any] = {
            "type": "replicas",
            "strategy": "default" if _is_default(strategy) else type(strategy).__name__,
            "replicas": [{"id": i, "device": d} for i, d in enumerate(devices)],
        }
        ops = getattr(extended, "_cross_device_ops", None) or getattr(
            extended, "_inferred_cross_device_ops", None)
        if ops is not None:
            event["cross_device"] = type(ops).__name__
        if line is not None:
            event["line"] = line
        if self._fallback is not None and not self._fallback_sent:
            self._fallback_sent = True
            event["fallback"] = self._fallback
        self._sender.send(event)

    def tpu_failed(self, step: str, error: BaseException) -> None:
        try:
            if self._fallback is None:
                self._fallback = {"wanted": "TPUStrategy", "step": step,
                                  "reason": short(f"{type(error).__name__}: {error}", 300),
                                  "line": self._source.caller_line(),
                                  "would": {"replicas": TPU_CORES, "text": WOULD}}
        except Exception as error2:  # noqa: BLE001
            self._sender.failed("strategy tpu", error2)

    # Steps -----------------------------------------------------------------------------------

    def wrap(self, strategy: Any, fn: Any) -> Any:
        """`fn` with a probe at its end, for a strategy whose replicas can call back."""
        try:
            if not _probed(strategy) or not probes.probe_allowed():
                return fn
            kind, _ = _caller()
            label = "Keras train step" if kind == "fit" else (
                f"Keras {kind} step" if kind in KERAS_STEPS.values() else probes.label(fn))
            site = self._site("run" if kind == "user" else kind, label, strategy)
        except Exception as error:  # noqa: BLE001
            self._sender.failed("strategy run", error)
            return fn
        return self._probed_fn(fn, site)

    def _site(self, kind: str, label: str, strategy: Any) -> probes.Site:
        """The call site's record: one per place in the snippet (an eager loop calling
        strategy.run again and again counts its steps, rather than making new sites)."""
        devices = _devices(strategy)
        line = _line(self._source)
        key = (kind, label, line, tuple(devices))
        site = self._sites.get(key)
        if site is None:
            site = self._sites[key] = probes.Site(kind=kind, function=label, line=line,
                                                  devices=devices)
            self.collector.add(site)
        return site

    def _probed_fn(self, fn: Any, site: probes.Site) -> Any:
        """`fn` converted by AutoGraph as strategy.run would convert it, then the probe, which
        AutoGraph leaves alone (converting this package's code took 0.2 s a strategy.run)."""
        watcher = self
        local = self._local
        fn = autograph.tf_convert(fn, ag_ctx.control_status_ctx(), convert_by_default=False)

        @autograph.do_not_convert
        def probed(*args: Any, **kwargs: Any) -> Any:
            local.norms, local.ops = [], []
            try:
                result = fn(*args, **kwargs)
            finally:
                norms, ops, local.norms, local.ops = local.norms, local.ops, None, None
            if ops and not site.reduce_ops:
                site.reduce_ops = ops
            watcher._report(site, args, norms, result)
            return result

        probed.__name__ = getattr(fn, "__name__", "fn")
        return probed

    def _report(self, site: probes.Site, args: Any, norms: list[Any], result: Any) -> None:
        try:
            context = tf.distribute.get_replica_context()
            replica = tf.get_static_value(context.replica_id_in_sync_group)
            replica = int(replica) if replica is not None else 0
            if tf.executing_eagerly():
                self._report_now(site, replica, args, norms, result)
                return
            with tf.name_scope(probes.PROBE_SCOPE):
                outputs, names = probes.output_tensors(result)
                site.layouts[replica] = (len(norms), names)
                inputs = [tf.constant(replica), probes.batch_size(args),
                          *[n[0] for n in norms], *[n[1] for n in norms], *outputs]
                tf.numpy_function(self.collector.callback(site), inputs, tf.int8,
                                  name="report")
        except Exception as error:  # noqa: BLE001 - the step itself goes on unprobed
            self._sender.failed("replica probe", error)

    def _report_now(self, site: probes.Site, replica: int, args: Any, norms: list[Any],
                    result: Any) -> None:
        """An eager replica's report, made at once from its values, without a TF op."""
        outputs, names = probes.output_arrays(result)
        site.layouts[replica] = (len(norms), names)
        values = [*[n[0] for n in norms], *[n[1] for n in norms], *outputs]
        self.collector.callback(site)(replica, probes.batch_size_now(args), *values)

    def all_reduced(self, reduce_op: Any, value: Any, result: Any) -> None:
        norms = getattr(self._local, "norms", None)
        if norms is None:
            return
        try:
            if tf.executing_eagerly():
                before, after = probes.norm_now(value), probes.norm_now(result)
            else:
                with tf.name_scope(probes.PROBE_SCOPE):
                    before, after = probes.norm(value), probes.norm(result)
            if before is not None and after is not None:
                norms.append((before, after))
                self._local.ops.append(str(getattr(reduce_op, "name", reduce_op)).upper())
        except Exception as error:  # noqa: BLE001
            self._sender.failed("all-reduce probe", error)

    def reduced(self, strategy: Any, reduce_op: Any, value: Any, result: Any) -> None:
        """strategy.reduce of per-replica values, called by the snippet: each replica's value
        and the result, right away when eager, else from a callback as the step runs."""
        try:
            if not isinstance(value, distribute_values.DistributedValues) or \
                    not _probed(strategy) or _caller()[0] != "user":
                return
            parts = list(value.values)
            op = str(getattr(reduce_op, "name", reduce_op)).upper()
            site = self._site("reduce", "strategy.reduce", strategy)
            if tf.executing_eagerly():
                self._send_reduce(site, op, [p.numpy() for p in parts], result.numpy())
            elif probes.probe_allowed():
                with tf.name_scope(probes.PROBE_SCOPE):
                    tensors = [tf.cast(p, tf.float32) for p in [*parts, result]]

                    def report(*arrays: Any) -> Any:
                        self._send_reduce(site, op, list(arrays[:-1]), arrays[-1])
                        return np.int8(0)

                    tf.numpy_function(report, tensors, tf.int8, name="reduce")
        except Exception as error:  # noqa: BLE001
            self._sender.failed("reduce probe", error)

    def _send_reduce(self, site: probes.Site, op: str, parts: list[Any], result: Any) -> None:
        try:
            devices = site.devices
            replicas = [{"replica": i, **({"device": devices[i]} if i < len(devices) else {}),
                         "outputs": [{"name": "value", **_value(p)}]}
                        for i, p in enumerate(parts)]
            site.counts[0] = step = site.counts.get(0, 0) + 1
            event = {"type": "replica_step", "kind": "reduce", "step": step,
                     "replicas": replicas, "reduce_op": op, "reduced": _value(result),
                     "function": site.function}
            if site.line is not None:
                event["line"] = site.line
            self.collector.offer(site, event)
        except Exception as error:  # noqa: BLE001
            self._sender.failed("reduce probe", error)

    def finish(self) -> None:
        self.collector.finish()
        if self._fallback is not None and not self._fallback_sent:
            try:
                self._send_strategy(tf.distribute.get_strategy(), None)
            except Exception as error:  # noqa: BLE001
                self._sender.failed("strategy fallback", error)


def _value(array: Any) -> dict[str, Any]:
    value = np.asarray(array, dtype=np.float64)
    if value.ndim == 0:
        return {"value": finite(value)}
    if value.size <= probes.SMALL:
        return {"shape": list(value.shape), "values": [finite(v) for v in value.ravel()]}
    return {"shape": list(value.shape), "min": finite(value.min()), "max": finite(value.max()),
            "mean": finite(value.mean())}

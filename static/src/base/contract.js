// Generated from contract/ by `python -m contract.export`: do not edit.
export const CONTRACT = Object.freeze({
  "childEvents": {
    "augment": [
      "function",
      "samples",
      "kind",
      "dataset",
      "line",
      "note"
    ],
    "autograph": [
      "function",
      "code",
      "lines"
    ],
    "dataset": [
      "id",
      "stages",
      "consumer",
      "line",
      "note"
    ],
    "dataset_preview": [
      "id",
      "elements",
      "source",
      "batched",
      "note"
    ],
    "dataset_stats": [
      "id",
      "elements",
      "iteration",
      "consumer",
      "examples",
      "seconds",
      "per_second",
      "examples_per_second",
      "ms_per_element",
      "wait_ms",
      "first_ms",
      "final"
    ],
    "error": [
      "exc_type",
      "message",
      "traceback",
      "line"
    ],
    "function_stats": [
      "functions",
      "final",
      "note"
    ],
    "graph": [
      "function",
      "nodes",
      "edges",
      "functions",
      "concrete",
      "collapsed",
      "omitted",
      "note",
      "count"
    ],
    "image": [
      "mime",
      "data",
      "width",
      "height",
      "line",
      "source",
      "label",
      "note"
    ],
    "instrument_error": [
      "message"
    ],
    "metrics": [
      "phase",
      "logs",
      "scope",
      "epoch",
      "step",
      "batch"
    ],
    "model": [
      "name",
      "layers",
      "class",
      "kind",
      "total_params",
      "trainable_params",
      "non_trainable_params",
      "note"
    ],
    "replica_step": [
      "kind",
      "replicas",
      "step",
      "function",
      "line",
      "reduce_op",
      "reduced",
      "global_batch",
      "note"
    ],
    "replicas": [
      "strategy",
      "replicas",
      "line",
      "cross_device",
      "fallback",
      "note"
    ],
    "trace": [
      "function",
      "count",
      "signature",
      "inputs",
      "reason",
      "changes",
      "note"
    ]
  },
  "coldSpare": "cold",
  "defaultDevice": "auto",
  "defaultMode": "eager",
  "deviceChoices": [
    "auto",
    "tpu",
    "gpu",
    "cpu"
  ],
  "deviceClasses": [
    "tpu",
    "gpu",
    "cpu"
  ],
  "eagerPass": "eager",
  "heartbeatTtlSeconds": 8,
  "imageTypes": [
    "image/png"
  ],
  "limits": {
    "code_bytes": 1048576,
    "cpu_seconds": 30,
    "data_event_bytes": 262144,
    "data_pipelines": 16,
    "event_bytes": 4194304,
    "graph_event_bytes": 2097152,
    "image_bytes": 524288,
    "max_tasks": 64,
    "memory_bytes": 2147483648,
    "open_files": 256,
    "output_bytes": 4194304,
    "replica_steps": 100,
    "stdin_bytes": 65536,
    "wall_seconds": 30,
    "written_bytes": 52428800
  },
  "liveStatuses": [
    "queued",
    "running"
  ],
  "modes": [
    "eager",
    "graph"
  ],
  "passField": "pass",
  "passes": [
    "graph",
    "eager"
  ],
  "spareKinds": [
    "warm",
    "cold"
  ],
  "supervisorEvents": {
    "done": [
      "status",
      "duration_ms",
      "exit_code",
      "peak_mb",
      "cpu_s"
    ],
    "pass": [
      "pass",
      "status",
      "duration_ms",
      "exit_code",
      "peak_mb",
      "cpu_s"
    ],
    "resources": [
      "rss_mb",
      "cpu_s",
      "gpu_mem_mb",
      "gpu_util"
    ],
    "status": [
      "status",
      "host",
      "device",
      "runtime",
      "started_at"
    ],
    "stderr": [
      "text"
    ],
    "stdout": [
      "text"
    ],
    "truncated": [
      "stream",
      "dropped_bytes"
    ]
  },
  "terminalStatuses": [
    "succeeded",
    "failed",
    "timeout",
    "cancelled",
    "oom",
    "killed",
    "worker-lost"
  ]
});
export default CONTRACT;

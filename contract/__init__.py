"""The vocabulary web side, worker, sandbox and page share (standard library only).

- `events`: event types, their fields, who may write each, run statuses, `json_safe`.
- `job`: what a run asks for (modes, device classes best first) and its defaults.
- `keys`: Redis keys, TTLs and the heartbeat's timing.
- `limits`: every limit of a run with its environment variable.
- `zygote`: the messages between a worker's pool and its zygote, as typed request/answer pairs.
- `export`: all of it as JSON for the page.
"""

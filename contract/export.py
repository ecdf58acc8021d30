"""The contract as JSON for the page: `python -m contract.export` prints the ES module the
front end imports (static/src/base/contract.js)."""
from __future__ import annotations

import json
import sys
from typing import Any

from contract import events, job, keys, limits, spares

HEADER = "// Generated from contract/ by `python -m contract.export`: do not edit.\n"


def vocabulary() -> dict[str, Any]:
    return {
        "liveStatuses": list(events.LIVE_STATUSES),
        "terminalStatuses": list(events.TERMINAL_STATUSES),
        "supervisorEvents": {k: list(v) for k, v in events.SUPERVISOR_EVENTS.items()},
        "childEvents": {k: list(v.fields) for k, v in events.CHILD_EVENTS.items()},
        "passField": events.PASS_FIELD,
        "passes": list(events.PASSES),
        "eagerPass": events.EAGER_PASS,
        "imageTypes": list(events.IMAGE_TYPES),
        "modes": list(job.MODES),
        "defaultMode": job.DEFAULT_MODE,
        "deviceClasses": list(job.DEVICE_CLASSES),
        "deviceChoices": list(job.DEVICE_CHOICES),
        "defaultDevice": job.DEFAULT_DEVICE,
        "heartbeatTtlSeconds": keys.HEARTBEAT_TTL,
        "limits": limits.Limits().as_dict(),
        "spareKinds": list(spares.SPARE_KINDS),
        "coldSpare": spares.COLD,
    }


def module_text() -> str:
    body = json.dumps(vocabulary(), indent=2, sort_keys=True)
    return f"{HEADER}export const CONTRACT = Object.freeze({body});\nexport default CONTRACT;\n"


if __name__ == "__main__":
    sys.stdout.write(module_text())

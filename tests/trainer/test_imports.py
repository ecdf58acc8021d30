"""The worker side imports and runs with no Django settings and loads no server code."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from scripts.stack import ROOT

PROBE = """
import json, sys
import trainer.sandbox, trainer.sandbox.zygote, trainer.sandbox.runner, trainer.protocol
import trainer.instrument
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_sandbox_side_imports_without_django_and_loads_no_server_module():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    loaded = set(json.loads(out.splitlines()[-1]))
    assert not loaded & {"django", "celery", "kombu", "redis", "channels", "daphne", "playground"}

"""A run record as a Jupyter notebook (nbformat 4) or a plain Python script."""
from __future__ import annotations

from typing import Any

import nbformat
from nbformat import v4


def _summary(record: dict[str, Any]) -> str:
    rt = record.get("runtime") or {}
    versions = (f"TensorFlow {rt.get('tensorflow', '?')} (Keras {rt.get('keras', '?')}, "
                f"Python {rt.get('python', '?')})")
    where = f"{record.get('mode', 'eager')} mode, device {rt.get('device', record.get('device'))}"
    outcome = f"**{record.get('status')}** in {record.get('duration_ms')} ms"
    return f"Run on {versions}, {where}: {outcome}."


def _outputs(events: list[dict[str, Any]]) -> list[Any]:
    """Consecutive stdout/stderr events joined into stream outputs, then the error if any."""
    outputs: list[Any] = []
    for event in events:
        kind = event.get("type")
        if kind in ("stdout", "stderr"):
            name = kind
            if outputs and outputs[-1].get("output_type") == "stream" and outputs[-1].name == name:
                outputs[-1].text += event["text"]
            else:
                outputs.append(v4.new_output("stream", name=name, text=event["text"]))
        elif kind == "error":
            trace = [f"line {f['line']} in {f['name']}: {f['text']}" for f in event["traceback"]]
            outputs.append(v4.new_output("error", ename=event["exc_type"],
                                         evalue=event["message"],
                                         traceback=[*trace, f"{event['exc_type']}: "
                                                    f"{event['message']}"]))
    return outputs


def notebook(record: dict[str, Any], title: str) -> str:
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    code = v4.new_code_cell(record["code"], execution_count=1)
    code.outputs = _outputs(record.get("events", []))
    nb.cells = [v4.new_markdown_cell(f"# {title}\n\n{_summary(record)}"), code]
    nbformat.validate(nb)
    return str(nbformat.writes(nb))


def script(record: dict[str, Any]) -> str:
    runtime = record.get("runtime") or {}
    header = (f"# Ran on TensorFlow {runtime.get('tensorflow', '?')}, "
              f"{record.get('mode', 'eager')} mode: {record.get('status')}.\n")
    code = str(record["code"])
    return header + code + ("" if code.endswith("\n") else "\n")

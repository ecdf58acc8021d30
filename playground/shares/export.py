"""A run record as a Jupyter notebook (nbformat 4) or a plain Python script."""
from __future__ import annotations

import re
from typing import Any

import nbformat
from nbformat import v4

from contract.events import EAGER_PASS, IMAGE_TYPES, PASS_FIELD, text_safe

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|>~-])")


def markdown_text(text: str) -> str:
    """Text shown as itself in a Markdown cell: no markup, no HTML."""
    plain = text_safe(str(text)).replace("&", "&amp;").replace("<", "&lt;")
    return MARKDOWN_SPECIAL.sub(r"\\\1", plain)


def _summary(record: dict[str, Any]) -> str:
    rt = record.get("runtime") or {}
    versions = (f"TensorFlow {rt.get('tensorflow', '?')} (Keras {rt.get('keras', '?')}, "
                f"Python {rt.get('python', '?')})")
    where = f"{record.get('mode', 'eager')} mode, device {rt.get('device', record.get('device'))}"
    outcome = f"**{markdown_text(str(record.get('status')))}** in {record.get('duration_ms')} ms"
    return f"Run on {markdown_text(versions)}, {markdown_text(where)}: {outcome}."


def _outputs(events: list[dict[str, Any]]) -> list[Any]:
    """Consecutive stdout/stderr events joined into stream outputs, figures where they were
    shown, then the error if any (a compare_eager run's eager pass is left out)."""
    outputs: list[Any] = []
    for event in events:
        kind = event.get("type")
        if event.get(PASS_FIELD) == EAGER_PASS:
            continue
        if kind == "image":
            outputs.append(_image_output(event))
        elif kind in ("stdout", "stderr"):
            name = kind
            if outputs and outputs[-1].get("output_type") == "stream" and outputs[-1].name == name:
                outputs[-1].text += event["text"]
            else:
                outputs.append(v4.new_output("stream", name=name, text=event["text"]))
        elif kind == "error":
            outputs.append(_error_output(event))
    return outputs


def _image_output(event: dict[str, Any]) -> Any:
    """A figure as a notebook's display_data: the PNG, with its label as the text form; one the
    worker could not send is its note."""
    label = text_safe(str(event.get("label") or "Figure"))
    data, width, height = event.get("data"), event.get("width"), event.get("height")
    if not data or event.get("mime") not in IMAGE_TYPES:
        note = text_safe(str(event.get("note") or f"{label} was not sent."))
        return v4.new_output("display_data", data={"text/plain": note})
    size = f" ({width}×{height})" if isinstance(width, int) and isinstance(height, int) else ""
    return v4.new_output("display_data", data={event["mime"]: data,
                                               "text/plain": f"<{label}{size}>"})


def _error_output(event: dict[str, Any]) -> Any:
    """An error event as a notebook error, whatever shape its fields have."""
    raw = event.get("traceback")
    frames: list[Any] = raw if isinstance(raw, list) else []
    trace = [f"line {f.get('line')} in {f.get('name')}: {f.get('text')}"
             for f in frames if isinstance(f, dict)]
    name, message = text_safe(str(event.get("exc_type"))), text_safe(str(event.get("message")))
    return v4.new_output("error", ename=name, evalue=message,
                         traceback=[text_safe(t) for t in trace] + [f"{name}: {message}"])


def notebook(record: dict[str, Any], title: str) -> str:
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    code = v4.new_code_cell(record["code"], execution_count=1)
    code.outputs = _outputs(record.get("events", []))
    nb.cells = [v4.new_markdown_cell(f"# {markdown_text(title)}\n\n{_summary(record)}"), code]
    nbformat.validate(nb)
    return str(nbformat.writes(nb))


def script(record: dict[str, Any]) -> str:
    runtime = record.get("runtime") or {}
    header = (f"# Ran on TensorFlow {runtime.get('tensorflow', '?')}, "
              f"{record.get('mode', 'eager')} mode: {record.get('status')}.\n")
    code = str(record["code"])
    return header + code + ("" if code.endswith("\n") else "\n")

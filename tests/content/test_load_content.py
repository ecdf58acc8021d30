"""The load_content command: idempotent, prunes what was removed, rejects bad files clearly."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from playground.concepts.models import Concept, Example, Tour, TourStep

pytestmark = pytest.mark.django_db


def load(path: Path | None = None) -> str:
    out = StringIO()
    options = {"path": path} if path else {}
    call_command("load_content", stdout=out, **options)
    return out.getvalue()


def snapshot() -> list[tuple]:
    rows: list[tuple] = []
    for model in (Concept, Example, Tour, TourStep):
        rows += [tuple(r.values()) for r in model.objects.order_by("pk").values()]
    return rows


def test_it_loads_everything() -> None:
    assert "0 updated, 0 deleted" in load()
    assert Concept.objects.count() == 22
    assert Tour.objects.count() >= 3
    assert TourStep.objects.count() >= 20
    tensor = Concept.objects.get(slug="tensor")
    assert tensor.definition_ja.startswith("テンソルとは")
    assert tensor.examples.count() >= 2


def test_running_it_twice_changes_nothing() -> None:
    load()
    before = snapshot()
    output = load()
    assert "0 created, 0 updated, 0 deleted" in output
    assert snapshot() == before


def test_it_updates_and_prunes(content_copy: Path) -> None:
    load(content_copy)
    toml = content_copy / "concepts" / "tensor" / "concept.toml"
    toml.write_text(toml.read_text().replace('en = "Tensor"', 'en = "Tensors"'))
    examples = content_copy / "concepts" / "tensor" / "examples"
    (examples / "03-dtype-mismatch.py").unlink()
    (examples / "03-dtype-mismatch.toml").unlink()
    shutil.rmtree(content_copy / "tours" / "first-steps" / "08-predict")
    shutil.rmtree(content_copy / "tours" / "data-to-distribution")
    output = load(content_copy)
    assert "1 updated" in output
    assert Concept.objects.get(slug="tensor").title_en == "Tensors"
    assert not Example.objects.filter(name="03-dtype-mismatch").exists()
    assert not Tour.objects.filter(slug="data-to-distribution").exists()
    assert not TourStep.objects.filter(tour__slug="first-steps", position=8).exists()


def test_check_only_writes_nothing() -> None:
    out = StringIO()
    call_command("load_content", "--check", stdout=out)
    assert out.getvalue().startswith("content OK: 22 concepts")
    assert Concept.objects.count() == 0


def _break(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text()
    assert old in text, f"{relative} does not contain {old!r}"
    path.write_text(text.replace(old, new, 1))


BREAKAGES = [
    ("concepts/tensor/en.md", "## Uses", "## Usage",
     "concepts/tensor/en.md: sections must be exactly "
     "'## Definition', '## Explanation', '## Uses'"),
    ("concepts/tensor/ja.md", "## 解説", "## 説明", "concepts/tensor/ja.md: sections must be"),
    ("concepts/tensor/en.md", "(concept:tensor-operation)", "(concept:tensor-ops)",
     "concepts/tensor/en.md: link to unknown concept 'concept:tensor-ops'"),
    ("concepts/tensor/concept.toml", '"eager-execution"]', '"eager"]',
     "concepts/tensor/concept.toml: related slug 'eager' is not another concept"),
    ("concepts/tensor/concept.toml", "[summary]", "[sumary]",
     "concepts/tensor/concept.toml: unknown key 'sumary'"),
    ("concepts/tensor/examples/01-create.toml", 'kind = "stdout_contains"', 'kind = "stdout_has"',
     "concepts/tensor/examples/01-create.toml: [[expect]] #1: unknown check kind 'stdout_has'"),
    ("concepts/tensor/examples/01-create.py", "print(matrix.numpy())", "print(matrix.numpy()",
     "concepts/tensor/examples/01-create.py: syntax error"),
    ("concepts/tensor/examples/01-create.toml", "[title]", "[title",
     "concepts/tensor/examples/01-create.toml: not valid TOML"),
    ("tours/first-steps/02-fix-the-dtype/step.toml", 'text = "total: 8.20"', "",
     "tours/first-steps/02-fix-the-dtype/step.toml: "
     "[[check]] #2: stdout_contains: missing parameter 'text'"),
    ("tours/first-steps/tour.toml", '"dataset"]', '"datasets"]',
     "tours/first-steps/tour.toml: unknown concept 'datasets'"),
    ("tours/first-steps/tour.toml", "order = 1", 'order = "first"',
     "tours/first-steps/tour.toml: order must be an integer"),
    ("concepts/tensor/concept.toml", "order = 2", "order = 1.5",
     "concepts/tensor/concept.toml: order must be an integer"),
    ("tours/first-steps/02-fix-the-dtype/step.toml", "hints = [", "[text.x]\nhints = [",
     "tours/first-steps/02-fix-the-dtype/step.toml: [text] has an unexpected key 'x'"),
    ("concepts/tensor/examples/01-create.toml", "[title]", 'compare_eager = "yes"\n[title]',
     "concepts/tensor/examples/01-create.toml: compare_eager must be true or false"),
    ("tours/first-steps/02-fix-the-dtype/step.toml", "hints = [",
     'mode = "graph"\ncompare_eager = true\nhints = [',
     "tours/first-steps/02-fix-the-dtype/step.toml: compare_eager needs mode 'eager'"),
]


@pytest.mark.parametrize(("relative", "old", "new", "message"), BREAKAGES,
                         ids=[b[3].split(":")[0] + ":" + b[2][:12] for b in BREAKAGES])
def test_it_rejects_broken_content_naming_the_file(content_copy: Path, relative: str, old: str,
                                                   new: str, message: str) -> None:
    _break(content_copy, relative, old, new)
    with pytest.raises(CommandError) as raised:
        load(content_copy)
    assert message in str(raised.value)
    assert Concept.objects.count() == 0


def test_it_rejects_missing_files(content_copy: Path) -> None:
    (content_copy / "concepts" / "layer" / "ja.md").unlink()
    (content_copy / "concepts" / "layer" / "examples" / "02-custom-layer.toml").unlink()
    (content_copy / "tours" / "first-steps" / "02-fix-the-dtype" / "solution.py").unlink()
    with pytest.raises(CommandError) as raised:
        load(content_copy)
    text = str(raised.value)
    assert "concepts/layer/ja.md: file is missing" in text
    assert "concepts/layer/examples/02-custom-layer.toml: file is missing" in text
    step = "tours/first-steps/02-fix-the-dtype"
    assert f"{step}/solution.py: a step with checks needs a solution.py" in text


def test_a_failed_load_keeps_the_previous_content(content_copy: Path) -> None:
    load(content_copy)
    _break(content_copy, "concepts/tensor/en.md", "## Uses", "## Usage")
    with pytest.raises(CommandError):
        load(content_copy)
    assert Concept.objects.count() == 22

"""The zygote's environment: what TensorFlow needs, nothing of the server's."""
from __future__ import annotations

import pytest

from trainer.pool import clean_environment


def test_the_zygote_inherits_nothing_of_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "server-only")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/x")
    env = clean_environment("cpu")
    assert "SECRET_KEY" not in env and "DATABASE_URL" not in env
    assert not any("server-only" in value for value in env.values())


def test_onednn_is_left_to_tensorflow_unless_the_operator_chooses(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    assert "TF_ENABLE_ONEDNN_OPTS" not in clean_environment("cpu")
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    assert clean_environment("cpu")["TF_ENABLE_ONEDNN_OPTS"] == "1"

"""The root jail's network namespace per slot: made once at the slot's first spare, then reused;
where the zygote may not make one, the slot's children make their own."""
from __future__ import annotations

import types
from typing import Any

import pytest

from trainer.sandbox import jail
from trainer.sandbox.zygote import Zygote


def zygote(sandbox: str) -> Any:
    """The fields of a Zygote that choosing a network namespace reads."""
    return types.SimpleNamespace(config=types.SimpleNamespace(sandbox=sandbox), own_net_ns=7,
                                 slot_net_ns={})


def test_it_makes_one_per_slot_and_reuses_it(monkeypatch: pytest.MonkeyPatch):
    made: list[int] = []

    def new(own: int) -> int:
        made.append(own)
        return 100 + len(made)
    monkeypatch.setattr(jail, "new_network_namespace", new)
    z = zygote("jail")
    assert [Zygote._net_namespace(z, slot) for slot in (0, 1, 0, 1, 2)] == \
        [101, 102, 101, 102, 103]
    assert made == [7, 7, 7]


def test_it_leaves_the_children_to_make_their_own_when_it_may_not(
        monkeypatch: pytest.MonkeyPatch):
    calls: list[int] = []

    def refused(own: int) -> int:
        calls.append(own)
        raise PermissionError(1, "Operation not permitted")
    monkeypatch.setattr(jail, "new_network_namespace", refused)
    z = zygote("jail")
    assert Zygote._net_namespace(z, 3) == -1
    assert Zygote._net_namespace(z, 3) == -1
    assert calls == [7]  # asked once per slot, not at every spare


@pytest.mark.parametrize("sandbox", ["rootless", "none"])
def test_only_the_root_jail_has_them(sandbox: str):
    assert Zygote._net_namespace(zygote(sandbox), 0) == -1

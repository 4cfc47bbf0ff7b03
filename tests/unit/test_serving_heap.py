"""A serving process holds the garbage collector off while it starts, and always lets it run again."""

from __future__ import annotations

import gc

from kempelen.cli import main
from kempelen.serving import collections_held, settle_heap


def test_start_up_holds_collections_until_the_heap_is_settled():
    with collections_held():
        assert not gc.isenabled()
        settle_heap()
        assert gc.isenabled()
    assert gc.isenabled()


def test_a_serve_that_refuses_to_start_leaves_collections_running(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KEMPELEN_DEVELOPMENT_CREDENTIALS", "on")
    assert main(["serve", "--host", "0.0.0.0", "--database-url", f"sqlite:///{tmp_path / 'k.db'}"]) == 2
    assert "refusing to listen" in capsys.readouterr().err
    assert gc.isenabled()

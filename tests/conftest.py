"""Fixtures shared by the test modules."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest
from click.testing import CliRunner, Result


@pytest.fixture(scope="module")
def cjk() -> None:
    """Skip a test of Chinese figures where no CJK font draws both scripts."""
    from convgif.picture import glyphs

    if glyphs.find_cjk_font("zh-Hans") is None or glyphs.find_cjk_font("zh-Hant") is None:
        pytest.skip('no CJK font: pip install "convgif[zh]", or apt install fonts-noto-cjk')


@pytest.fixture(scope="module")
def one_torch_thread() -> Iterator[None]:
    """Torch on one thread for a module comparing with it: its tensors are tiny, and on a busy
    machine two threads waiting for each other make every call dozens of times slower."""
    try:
        import torch
    except ImportError:
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """``convgif ARGS...`` run in a fresh folder of its own, exceptions not caught."""
    from convgif.cli import main

    monkeypatch.chdir(tmp_path)
    return lambda *args: CliRunner().invoke(main, list(args), catch_exceptions=False)

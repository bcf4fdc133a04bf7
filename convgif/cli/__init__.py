"""The ``convgif`` command: its entry point (:mod:`.launch`), commands (:mod:`.commands`) and
options (:mod:`.options`).

Nothing is imported here: the entry point installs its signal handlers before any other module
of convgif loads. ``convgif.cli.main`` is the click command, loaded when first asked for.
"""

from __future__ import annotations


def __getattr__(name: str) -> object:
    if name == "main":
        from .commands import main

        return main
    raise AttributeError(f"module 'convgif.cli' has no attribute {name!r}")

"""How convgif stops when a signal asks it to: the signals that end a process by default, the
exception a handler raises so that everything unwinds (temporary files removed), and the way to
end at once. The command's entry point (:mod:`convgif.cli.launch`) installs the handlers; the
gallery's worker processes install their own."""

import signal

SIGNALS = tuple(
    getattr(signal, name)
    for name in ("SIGHUP", "SIGINT", "SIGTERM", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGPIPE")
    if hasattr(signal, name)
)


class Interrupted(BaseException):
    """A signal asked the command to stop (not an Exception: nothing may swallow it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def end_now(signum: int) -> None:
    """End the process at once with 128 + ``signum``: its temporary files removed, ffmpeg and
    the gallery's workers told to end."""
    import os
    import sys

    try:
        for module, clean in (
            ("convgif.files.atomic", "remove_live"),
            ("convgif.files.mp4", "end_children"),
            ("convgif.integrations.gallery", "end_workers"),
        ):
            loaded = sys.modules.get(module)
            if loaded is not None:
                getattr(loaded, clean)()
    finally:
        os._exit(128 + signum)

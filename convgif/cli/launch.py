"""The ``convgif`` command's entry point: signals handled from its first instruction to its last.

Every signal that ends a process by default (HUP, INT, TERM, USR1, USR2, ALRM, PIPE) ends the
command with status 128 + its number (130 for Ctrl-C, 143 for SIGTERM) and one line on stderr
(none for SIGPIPE, whose reader has gone), at any moment: while modules load, mid-render (the
temporary file is removed, an existing target left as it was, ffmpeg and the gallery's worker
processes ended with it), or while the result is printed. A second signal while the first one
unwinds ends the command at once, its temporary files removed and its children ended. Output
that cannot be printed (a full disk) is an error with status 1, never a traceback.
"""

import signal

from ..interrupts import SIGNALS, Interrupted, end_now

_received: list = []


def _on_signal(signum: int, frame: object) -> None:
    if signum == getattr(signal, "SIGPIPE", None) and _held_by_a_writer(signum):
        return  # the write to ffmpeg under way tells whether its pipe broke
    if _received:  # a second signal while the first one unwinds: end now
        if signum == getattr(signal, "SIGPIPE", None):
            return  # a pipe to a process being ended broke: part of the first signal's work
        end_now(signum)
    code = getattr(frame, "f_code", None)
    if code is not None and code.co_name == "cb" and "importlib" in code.co_filename:
        _again(signum)  # a weak reference's callback would print the exception and lose it
        return
    _received.append(signum)
    raise Interrupted(signum)


def _again(signum: int) -> None:
    """Send ``signum`` to this process again in a moment."""
    import os
    import threading

    timer = threading.Timer(0.002, os.kill, (os.getpid(), signum))
    timer.daemon = True
    timer.start()


def _held_by_a_writer(signum: int) -> bool:
    """Whether the MP4 writer holds this SIGPIPE until its write to ffmpeg says what it was."""
    import sys

    mp4 = sys.modules.get("convgif.files.mp4")
    return mp4 is not None and mp4.holds_pipe_signal(signum)


# Installed on import, the first thing the command does: nothing of convgif's runs before it.
_PREVIOUS = {sig: signal.signal(sig, _on_signal) for sig in SIGNALS}

import os  # noqa: E402
import sys  # noqa: E402


def _exit_now(signum: int, frame: object) -> None:
    if signum == getattr(signal, "SIGPIPE", None):
        return  # a pipe broke while ending: the status is already decided
    end_now(signum)


def _say(text: str) -> None:
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def _say_stopped(signum: int) -> None:
    if signum != getattr(signal, "SIGPIPE", None):
        _say("interrupted\n")


def _flush_stdout() -> int:
    """Flush what the command printed; 1 (and a message) when it cannot be written."""
    stream = sys.stdout
    if stream is None:
        return 0
    try:
        stream.flush()
    except (OSError, ValueError) as error:
        _say(f"Error: cannot print to standard output: {getattr(error, 'strerror', None) or error}\n")
        try:  # what is still buffered goes nowhere, so that the interpreter's last flush succeeds
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError):
            pass
        return 1
    return 0


def run() -> None:
    """Run the ``convgif`` command and exit with its status."""
    previous = {sig: signal.signal(sig, _on_signal) for sig in SIGNALS}  # (again, when run twice)
    previous = {sig: _PREVIOUS[sig] if previous[sig] is _on_signal else previous[sig] for sig in SIGNALS}
    code = 0
    try:
        try:
            from .helptext import prerendered

            text = prerendered(sys.argv[1:], getattr(sys.stdout, "encoding", None))
            if text is not None:
                sys.stdout.write(text)
            else:
                from .. import cli

                cli.main(prog_name="convgif")
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
            if isinstance(done.code, str):
                _say(done.code + "\n")
        except KeyboardInterrupt:  # raised by code that is not ours, e.g. a test's stand-in
            _say("interrupted\n")
            code = 128 + signal.SIGINT
        except MemoryError:  # outside a render, which says more (reading a model, info, gallery, bench)
            _say("Error: out of memory: nothing written; a smaller layer (--in) or part (--region) needs less\n")
            code = 1
        code = _flush_stdout() or code
    except Interrupted as stop:
        _say_stopped(stop.signum)
        code = 128 + stop.signum
    except BaseException:
        if not _received:
            raise
        # the signal arrived inside code that turned it into an error of its own (e.g. a C
        # extension's module set-up, which reports "initialization failed"): it is still a stop
        _say_stopped(_received[0])
    finally:
        for sig in SIGNALS:  # from here on a signal ends the process at once, with its status
            signal.signal(sig, _exit_now if previous[sig] is not _exit_now else previous[sig])
    if _received:
        code = 128 + _received[0]
    sys.exit(code)

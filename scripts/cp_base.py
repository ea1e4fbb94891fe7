# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""What every part of portalctl shares: the repository, the data folder, messages, timed steps.

Standard library only: it runs under the interpreter `make` was given, before Odoo is importable.
"""

import os
import socket
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE = 'customer_portal'
DATA = Path(os.environ.get('CP_DATA_DIR') or ROOT / '.data').resolve()
PG_USER = 'odoo'  # Odoo refuses to run as the "postgres" role.


def say(message):
    print(f"[portalctl] {message}", flush=True)


def die(message, code=2):
    print(f"[portalctl] error: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


class StepFailed(Exception):
    """A step could not finish; the message says what to do."""


@contextmanager
def step(name, hint=''):
    """Print the step, then how long it took; a failure names the step and what to do (hint)."""
    started = time.monotonic()
    say(f"{name} ...")
    try:
        yield
    except StepFailed as e:
        die(
            f"{name} failed after {time.monotonic() - started:.0f} s: {e}" + (f"\n  What to do: {hint}" if hint else '')
        )
    say(f"{name}: done in {elapsed(started)}")


def elapsed(started):
    seconds = int(time.monotonic() - started)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def read_new_lines(log_path, position):
    """The lines a running process has added to its log since ``position``, and the new position."""
    if not log_path.exists():
        return [], position
    with open(log_path, encoding='utf-8', errors='replace') as log:
        log.seek(position)
        chunk = log.read()
        return chunk.splitlines(), log.tell()


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]

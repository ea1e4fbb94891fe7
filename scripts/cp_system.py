# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""This machine: virtual environments, pip into them, Debian packages (shared by portalctl, lint, wheel)."""

import os
import shutil
import subprocess
import sys
import sysconfig
from collections import deque
from pathlib import Path

from cp_base import StepFailed, die, say, step

DEBIAN_PACKAGES = {'initdb': 'postgresql', 'wkhtmltopdf': 'wkhtmltopdf', 'chromium': 'chromium', 'git': 'git'}


def externally_managed():
    """True for a system Python that pip must not install into (PEP 668's EXTERNALLY-MANAGED marker)."""
    return sys.prefix == sys.base_prefix and Path(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED').exists()


def make_venv(path, system_site_packages=False, clear=False):
    """A virtual environment of this interpreter at `path`; returns its python."""
    cmd = [sys.executable, '-m', 'venv', str(path)]
    cmd += ['--system-site-packages'] if system_site_packages else []
    cmd += ['--clear'] if clear else []
    if subprocess.call(cmd) != 0:
        raise StepFailed(f"`{sys.executable} -m venv {path}` failed")
    return Path(path) / 'bin' / 'python'


VENV_HINT = "install Python's venv module (Debian/Ubuntu: apt-get install python3-venv), then run the command again"


def pip_install(python, args, log, env=None):
    """pip install into `python`, echoing what it collects and builds; the full output goes to `log`."""
    cmd = [str(python), '-m', 'pip', 'install', '--disable-pip-version-check', '--progress-bar', 'off', *args]
    tail = deque(maxlen=25)
    Path(log).parent.mkdir(parents=True, exist_ok=True)
    with open(log, 'a', encoding='utf-8') as out:
        out.write(f"$ {' '.join(cmd)}\n")
        with subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env or os.environ
        ) as process:
            for line in process.stdout:
                out.write(line)
                tail.append(line.rstrip())
                if line.startswith(('Collecting', 'Building wheel', 'Successfully installed', 'ERROR')):
                    print(f"    {line.rstrip()[:160]}", flush=True)
    if process.returncode != 0:
        print('\n'.join(f"    | {line}" for line in tail), flush=True)
        raise StepFailed(f"pip exited with code {process.returncode} (full output: {log})")


def debian_missing(packages):
    if not shutil.which('dpkg-query'):
        return []
    return [
        package
        for package in packages
        if 'install ok installed'
        not in subprocess.run(
            ['dpkg-query', '-W', '-f=${Status}', package], capture_output=True, text=True, check=False
        ).stdout
    ]


def apt_install(packages):
    say(f"   apt-get install {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    if (
        subprocess.call(['apt-get', 'update', '-qq'], env=env) != 0
        or subprocess.call(['apt-get', 'install', '-y', '-qq', *packages], env=env) != 0
    ):
        raise StepFailed(f"apt-get could not install {' '.join(packages)}")


def find_pg_command(name):
    import glob  # noqa: PLC0415

    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f'/usr/lib/postgresql/*/bin/{name}'),
        key=lambda p: int(p.split('/')[4]) if p.split('/')[4].isdigit() else 0,
    )
    return candidates[-1] if candidates else None


def ensure_debian_packages(commands):
    missing = {}
    for command in commands:
        present = find_pg_command(command) if command in ('initdb', 'pg_ctl') else shutil.which(command)
        if not present:
            missing[command] = DEBIAN_PACKAGES[command]
    if not missing:
        return
    packages = sorted(set(missing.values()))
    if os.geteuid() != 0 or not shutil.which('apt-get'):
        die(
            f"missing {', '.join(missing)}: install the Debian package(s) {' '.join(packages)} "
            f"(apt-get install {' '.join(packages)}), or run this command as root."
        )
    with step(f"installing Debian packages: {' '.join(packages)}", f"apt-get install {' '.join(packages)}"):
        apt_install(packages)

#!/usr/bin/env python3
# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Lint the whole repository as OCA does (`make lint`): ruff checks, ruff format, pylint with pylint-odoo.

The linters, pinned in requirements-lint.txt, are installed in their own virtual environment
(.data/lint/venv, made again when that file changes): nothing goes into the Python that runs Odoo.
Configuration: .ruff.toml and .pylintrc (also used by .pre-commit-config.yaml). Prints every finding,
then one line per tool and "lint: N findings"; exits 1 when there is any.
"""

import hashlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get('CP_DATA_DIR') or ROOT / '.data').resolve()
LINT = DATA / 'lint'
VENV = LINT / 'venv'
REQUIREMENTS = ROOT / 'requirements-lint.txt'
MODULE = 'customer_portal'
PYLINT_FINDING = re.compile(r'^\S+:\d+: \[[A-Z]\d+\(')


def say(message):
    print(f"[lint] {message}", flush=True)


def ensure_venv():
    stamp = VENV / 'requirements.sha1'
    digest = hashlib.sha1(REQUIREMENTS.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    started = time.monotonic()
    say(f"installing the linters of {REQUIREMENTS.name} in {VENV}")
    if subprocess.call([sys.executable, '-m', 'venv', '--clear', str(VENV)]) != 0:
        sys.exit(f"[lint] could not create the virtual environment {VENV} (is python3-venv installed?)")
    if (
        subprocess.call(
            [
                str(VENV / 'bin' / 'python'),
                '-m',
                'pip',
                'install',
                '--quiet',
                '--disable-pip-version-check',
                '-r',
                str(REQUIREMENTS),
            ]
        )
        != 0
    ):
        sys.exit(f"[lint] pip could not install {REQUIREMENTS.name} into {VENV}; see the messages above.")
    stamp.write_text(digest)
    say(f"linters installed in {time.monotonic() - started:.0f} s")


def run(cmd, cwd):
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    return result.stdout + result.stderr


def main():
    ensure_venv()
    bin_dir = VENV / 'bin'
    config = ['--config', str(ROOT / '.ruff.toml')]
    counts = {}

    out = run([str(bin_dir / 'ruff'), 'check', '--no-fix', '--output-format', 'concise', *config, '.'], ROOT)
    findings = [line for line in out.splitlines() if re.match(r'^\S+:\d+:\d+: ', line)]
    if findings:
        print('\n'.join(findings), flush=True)
    counts['ruff check'] = len(findings)

    out = run([str(bin_dir / 'ruff'), 'format', '--check', '--output-format', 'concise', *config, '.'], ROOT)
    unformatted = [line for line in out.splitlines() if ': unformatted: ' in line]
    if unformatted:
        print('\n'.join(unformatted), flush=True)
    counts['ruff format (files to reformat)'] = len(unformatted)

    # pylint-odoo names the module after its folder: lint it through a link named customer_portal.
    addons = LINT / 'addons'
    addons.mkdir(parents=True, exist_ok=True)
    link = addons / MODULE
    if link.is_symlink() and link.resolve() != ROOT:
        link.unlink()
    if not link.exists():
        link.symlink_to(ROOT, target_is_directory=True)
    ignored = ','.join(['.data', '.venv', 'build', 'dist', '.git'])
    out = run([str(bin_dir / 'pylint'), f'--rcfile={ROOT / ".pylintrc"}', f'--ignore={ignored}', MODULE], addons)
    findings = [line for line in out.splitlines() if PYLINT_FINDING.match(line)]
    problems = [
        line for line in out.splitlines() if line.strip() and not line.startswith('*' * 13) and line not in findings
    ]
    if findings:
        print('\n'.join(findings), flush=True)
    if problems:  # pylint itself failed (bad option, crash): that is a finding too
        print('\n'.join(problems), flush=True)
    counts['pylint-odoo'] = len(findings) + len(problems)

    for tool, count in counts.items():
        say(f"{tool}: {count}")
    total = sum(counts.values())
    print(f"lint: {total} finding{'s' if total != 1 else ''}", flush=True)
    return 1 if total else 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Lint the whole repository as OCA does (`make lint`): ruff checks, ruff format, pylint with pylint-odoo.

The linters, pinned in requirements-lint.txt, are installed in their own virtual environment
(.data/lint/venv, made again when that file changes): nothing goes into the Python that runs Odoo.
Configuration: .ruff.toml and .pylintrc (also used by .pre-commit-config.yaml). Prints every finding,
then one line per tool and "lint: N findings"; exits 1 when there is any.
"""

import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cp_base import DATA, MODULE, ROOT, step
from cp_system import VENV_HINT, make_venv, pip_install

LINT = DATA / 'lint'
VENV = LINT / 'venv'
REQUIREMENTS = ROOT / 'requirements-lint.txt'
PYLINT_FINDING = re.compile(r'^\S+:\d+: \[[A-Z]\d+\(')


def say(message):
    print(f"[lint] {message}", flush=True)


def ensure_venv():
    stamp = VENV / 'requirements.sha1'
    digest = hashlib.sha1(REQUIREMENTS.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    with step(f"installing the linters of {REQUIREMENTS.name} in {VENV}", VENV_HINT):
        python = make_venv(VENV, clear=True)
        pip_install(python, ['--quiet', '-r', str(REQUIREMENTS)], LINT / 'install.log')
    stamp.write_text(digest)


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

    # pylint-odoo names the module after its folder: lint the repository through a link named customer_portal
    # in a temporary folder, removed after. (It was .data/lint/addons/customer_portal, a link inside the
    # repository to the repository, a loop for every tool that walks it following links.)
    shutil.rmtree(LINT / 'addons', ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix='customer_portal_lint_') as addons:
        (Path(addons) / MODULE).symlink_to(ROOT, target_is_directory=True)
        ignored = ','.join(['.data', '.venv', 'build', 'dist', '.git'])
        out = run([str(bin_dir / 'pylint'), f'--rcfile={ROOT / ".pylintrc"}', f'--ignore={ignored}', MODULE], addons)
    # The bridge addons (bridges/<name>, each its own module) are linted by their own names.
    bridges = sorted(manifest.parent.name for manifest in (ROOT / 'bridges').glob('*/__manifest__.py'))
    if bridges:
        out += run([str(bin_dir / 'pylint'), f'--rcfile={ROOT / ".pylintrc"}', *bridges], ROOT / 'bridges')
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

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""`make test`: the addon's tests on a throwaway database, plus the scripts' own checks (cp_selftest)."""

import os
import re
import shutil
import subprocess
import time

from cp_base import DATA, MODULE, die, free_port, read_new_lines, say
from cp_odoo import BRIDGE_APPS, BRIDGE_MODULES, DEMO_MODULES, LOG_LINE, odoo_command

# The test database also holds auth_totp_mail_enforce (CE, codes by email; off until its policy is
# set), which overrides the same second-factor check as the addon: tests/test_mfa_mail_enforce.py.
# With the apps of the bridges, which then install themselves and run their tests too.
TEST_MODULES = DEMO_MODULES + ['auth_totp_mail_enforce'] + BRIDGE_APPS
TESTED_MODULES = [MODULE] + BRIDGE_MODULES
TEST_TIMEOUT = 30 * 60  # a guard against a hung browser; the suite itself takes a few minutes
# axe-core, the accessibility engine behind Lighthouse's score, run by tests/test_accessibility.py in the
# tours' Chromium. Pinned: a new axe version may add rules, and that must be a commit of ours.
AXE_VERSION = '4.10.3'
AXE_DIR = DATA / 'axe'
AXE_JS = AXE_DIR / 'node_modules' / 'axe-core' / 'axe.min.js'
TEST_START = re.compile(r'^Starting (?P<test>\S+) \.\.\.')
TEST_FAIL = re.compile(r'^(?P<kind>FAIL|ERROR): (?P<test>(?:Subtest )?\S+(?: \(.*\))?)')
ODOO_REPORT = re.compile(r'(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests')


def run_odoo_tests(odoo_package, postgres, label, modules, tags, quiet=True, env=None):
    """Install `modules` with demo data in a throwaway database, run the tests `tags` select, drop it.
    Returns Odoo's exit code and the log."""
    dbname = f"{MODULE}_test_{label}_{int(time.time())}_{os.getpid()}"
    log_path = DATA / 'logs' / f'{dbname}.log'
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = odoo_command(
        odoo_package, postgres, '-d', dbname, '-i', ','.join(modules),
        '--test-enable', '--test-tags', tags, '--stop-after-init',
        '--http-interface', '127.0.0.1', '--http-port', str(free_port()),
        '--max-cron-threads', '0', '--logfile', str(log_path),
    )  # fmt: skip
    say(f"{label}: installing {', '.join(modules)} in {dbname}, then the tests; full log: {log_path}")
    returncode = None
    try:
        log_path.unlink(missing_ok=True)
        process = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, env=dict(os.environ, **(env or {}))
        )
        returncode = follow(process, log_path, quiet=quiet)
    finally:
        try:
            postgres.drop_database(dbname)
        except Exception as e:  # noqa: BLE001 - report, the summary matters more
            say(f"could not drop {dbname}: {e}")
        shutil.rmtree(DATA / 'odoo' / 'filestore' / dbname, ignore_errors=True)
    return returncode, log_path


def summarize(log_path):
    """Count what the log says: tests started, tests that failed, errors outside any test."""
    started, failed, stray_errors, odoo_failed = [], {}, [], 0
    with open(log_path, encoding='utf-8', errors='replace') as log:
        for line in log:
            match = LOG_LINE.match(line)
            if not match:
                continue
            level, logger, msg = match['level'], match['logger'], match['msg']
            in_module = logger.startswith(f'odoo.addons.{MODULE}')
            if level == 'INFO' and in_module and (start := TEST_START.match(msg)):
                started.append(start['test'])
            elif level in ('ERROR', 'CRITICAL'):
                fail = TEST_FAIL.match(msg)
                report = ODOO_REPORT.search(msg)
                if fail:
                    failed.setdefault(fail['test'], f"{fail['kind']}: {fail['test']}")
                elif report:
                    odoo_failed = max(odoo_failed, int(report['failed']) + int(report['errors']))
                elif not msg.startswith(('Test suite halted', 'At least one test failed')):
                    stray_errors.append(f"{logger}: {msg}"[:300])
    return started, failed, stray_errors, odoo_failed


def cmd_test(args):
    from cp_env import prepare  # noqa: PLC0415 - may switch to .venv first
    from cp_selftest import run_selftests, selftest_names  # noqa: PLC0415

    odoo_package, postgres = prepare('test')
    tags = [tag for tag in args.tags.split(',') if tag]
    own = [tag for tag in tags if tag.split('.')[0] in selftest_names()]
    odoo_tags = [tag for tag in tags if tag not in own]
    started_at = time.time()
    log_path, returncode = None, None
    try:
        # The scripts' own checks (prefork's websocket process) first: they need Odoo, not a database.
        self_passed, self_failed = run_selftests(odoo_package, postgres, own) if own or not tags else ([], [])
        if odoo_tags or not tags:
            axe_js = ensure_axe()
            odoo_tags = ','.join(f'/{module}:{tag}' for tag in odoo_tags for module in TESTED_MODULES) or ','.join(
                f'/{module}' for module in TESTED_MODULES
            )
            returncode, log_path = run_odoo_tests(
                odoo_package, postgres, 'addon', TEST_MODULES, odoo_tags, quiet=False, env={'CP_AXE_JS': str(axe_js)}
            )
    finally:
        postgres.stop()
    if log_path is None:  # only scripts' checks were asked for
        print(f"{len(self_passed)} passed, {len(self_failed)} failed", flush=True)
        return 1 if self_failed else 0
    started, failed, stray_errors, odoo_failed = summarize(log_path)
    duration = time.time() - started_at
    print("\n==================== customer_portal test summary ====================")
    print(f"tests run: {len(started)}   failed: {len(failed)}   time: {duration:.0f}s   odoo exit code: {returncode}")
    for line in failed.values():
        print(f"  {line}")
    problems = 0
    if stray_errors:
        print("errors logged outside the tests (install or teardown):")
        for line in stray_errors[:20]:
            print(f"  {line}")
        problems = 1 if not failed else 0
    if not started:
        print("no test ran: the addon did not install, or no test was found")
        problems = 1
    if returncode not in (0, None) and not failed and not problems:
        print(f"Odoo exited with code {returncode}")
        problems = 1
    # A test with failing subtests is one failed test; Odoo counts each subtest: report the larger.
    n_failed = max(len(failed), odoo_failed) + problems
    n_passed = max(len(started) - max(len(failed), odoo_failed), 0)
    for name in self_failed:
        print(f"  FAIL: {name} (scripts/cp_selftest.py)")
    n_passed, n_failed = n_passed + len(self_passed), n_failed + len(self_failed)
    print(f"{n_passed} passed, {n_failed} failed", flush=True)
    return 1 if n_failed else 0


def ensure_axe():
    """axe-core at its pinned version under .data/axe (npm, from the registry), for the accessibility test."""
    version_file = AXE_JS.parent / 'package.json'
    if AXE_JS.exists() and f'"version": "{AXE_VERSION}"' in version_file.read_text(encoding='utf-8'):
        return AXE_JS
    if not shutil.which('npm'):
        die("npm is missing: the accessibility test needs axe-core from npm (apt-get install npm).")
    say(f"installing axe-core {AXE_VERSION} into {AXE_DIR}")
    AXE_DIR.mkdir(parents=True, exist_ok=True)
    cmd = [
        'npm',
        'install',
        '--prefix',
        str(AXE_DIR),
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--loglevel',
        'error',
        f'axe-core@{AXE_VERSION}',
    ]
    if subprocess.call(cmd) != 0 or not AXE_JS.exists():
        die(f"npm could not install axe-core@{AXE_VERSION}.")
    return AXE_JS


def follow(process, log_path, quiet=False):
    """Wait for Odoo, echoing test progress (unless quiet) and problems from its log as they come."""
    deadline = time.time() + TEST_TIMEOUT
    position, echoing, testing = 0, False, False
    while True:
        finished = process.poll() is not None
        lines, position = read_new_lines(log_path, position)
        for line in lines:
            match = LOG_LINE.match(line)
            if match:
                starting = match['logger'].startswith(f'odoo.addons.{MODULE}') and match['msg'].startswith('Starting')
                if quiet and match['logger'].startswith('odoo.addons.') and match['msg'].startswith('Starting'):
                    testing = True  # the stock tests' progress is in the log; echo their problems only
                testing = testing or starting
                # Warnings matter during the install; during the tests they are mostly the
                # refusals the tests provoke on purpose (they stay in the full log).
                echoing = (
                    starting or match['level'] in ('ERROR', 'CRITICAL') or (match['level'] == 'WARNING' and not testing)
                )
            if echoing:  # a problem, a test starting, or the traceback under a problem
                print(line[:500], flush=True)
        if finished:
            return process.returncode
        if time.time() > deadline:
            process.kill()
            say(f"tests stopped after {TEST_TIMEOUT // 60} minutes")
            return -1
        time.sleep(1)

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""`make stock-tests`: stock Odoo's post-install tests of the modules the addon extends, addon installed."""

import re
import time

from cp_base import MODULE, ROOT, die, say
from cp_odoo import BRIDGE_APPS, DEMO_MODULES, LOG_LINE
from cp_tests import TEST_FAIL, TEST_START, run_odoo_tests

# The stock modules whose code the addon extends: their post-install tests run with the addon installed
# (`stock-tests`). A feature that overrides another stock module adds that module's tests here.
STOCK_TEST_TAGS = [
    '/portal', '/payment', '/account_payment', '/auth_totp', '/auth_totp_portal', '/auth_signup',
    '/sale', '/sale_management', '/account:TestPortalInvoice', '/account:TestPortalAttachment',
]  # fmt: skip
# The apps a bridge extends (bridges/): their post-install tests join the gate when the bridge is there.
STOCK_TEST_TAGS_BY_APP = {
    'helpdesk_mgmt': ['/helpdesk_mgmt'],
    'sale_stock': ['/sale_stock'],
    'stock_delivery': ['/stock_delivery'],
    # customer_portal_timesheet: the project, task and timesheet portal pages, sale_timesheet's invoicing.
    'sale_timesheet': ['/project', '/hr_timesheet', '/sale_timesheet'],
}
STOCK_TEST_TAGS += [tag for app in BRIDGE_APPS for tag in STOCK_TEST_TAGS_BY_APP.get(app, [])]
# What the stock tests' database holds besides the addon, for the retry on a database without it.
STOCK_MODULES = ['portal', 'payment', 'account', 'account_payment', 'auth_totp', 'auth_totp_portal',
                 'auth_signup', 'sale', 'sale_management']  # fmt: skip
STOCK_EXCLUSIONS = ROOT / 'tests' / 'stock_test_exclusions.json'

STOCK_LOGGER = re.compile(r'^odoo\.addons\.(?P<module>\w+)\.tests\b')
TEST_ID = re.compile(r'^(?:Subtest )?(?P<cls>\w+)\.(?P<method>\w+)|^\w+ \((?:[\w.]+\.)?(?P<cls2>\w+)\)')


def read_stock_exclusions():
    """The stock tests the addon fails on purpose: tests/stock_test_exclusions.json, checked entry by entry."""
    import json  # noqa: PLC0415

    entries = json.loads(STOCK_EXCLUSIONS.read_text(encoding='utf-8'))
    tests = [*(ROOT / 'tests').glob('test_*.py'), *(ROOT / 'bridges').glob('*/tests/test_*.py')]
    ours = '\n'.join(path.read_text(encoding='utf-8') for path in tests)
    for entry in entries:
        test, why, proof = entry.get('stock_test', ''), entry.get('why', ''), entry.get('proved_by', '')
        if not re.fullmatch(r'/\w+:\w+\.\w+', test) or len(why.strip()) < 20:
            die(f"{STOCK_EXCLUSIONS.name}: each entry needs stock_test ('/module:Class.method') and a why: {entry}")
        match = re.fullmatch(rf'/{MODULE}\w*:(\w+)\.(\w+)', proof)
        if not match or f'class {match[1]}(' not in ours or f'def {match[2]}(' not in ours:
            die(
                f"{STOCK_EXCLUSIONS.name}: {test} must name in proved_by an existing test of ours "
                f"('/customer_portal:Class.method', or a bridge's '/customer_portal_<name>:...'), not {proof!r}"
            )
    return entries


def summarize_stock(log_path):
    """Stock tests started and failed, as Odoo test tags ('/module:Class.method')."""
    started, failed = set(), {}
    with open(log_path, encoding='utf-8', errors='replace') as log:
        for line in log:
            match = LOG_LINE.match(line)
            module = match and STOCK_LOGGER.match(match['logger'])
            if not module:
                continue
            msg = match['msg']
            if match['level'] == 'INFO' and (start := TEST_START.match(msg)):
                started.add(f"/{module['module']}:{start['test']}")
            elif match['level'] in ('ERROR', 'CRITICAL') and (fail := TEST_FAIL.match(msg)):
                test_id = TEST_ID.match(fail['test'].removeprefix('Subtest '))
                if test_id and test_id['cls']:
                    tag = f"/{module['module']}:{test_id['cls']}.{test_id['method']}"
                elif test_id:  # setUpClass (odoo.addons.module.tests.file.Class): the whole class
                    tag = f"/{module['module']}:{test_id['cls2']}"
                else:
                    tag = f"/{module['module']}"
                failed.setdefault(tag, f"{fail['kind']}: {fail['test']}")
    return started, failed


def cmd_stock_tests(args):
    """Stock Odoo's post-install tests of the modules the addon extends, with the addon installed."""
    from cp_env import prepare  # noqa: PLC0415 - may switch to .venv first

    exclusions = read_stock_exclusions()
    odoo_package, postgres = prepare('stock-tests')
    started_at = time.time()
    # `-at_install`: at-install tests run while each module installs, so the stock modules' ones would run
    # before customer_portal (installed after them) is loaded: they would test stock Odoo without the
    # addon, and run again on a database where it is installed they would see modules their authors did
    # not load. Post-install tests run once everything is installed: the addon's effect on stock.
    tags = ','.join(STOCK_TEST_TAGS + ['-at_install'] + ['-' + entry['stock_test'] for entry in exclusions])
    try:
        returncode, log_path = run_odoo_tests(odoo_package, postgres, 'stock', DEMO_MODULES + BRIDGE_APPS, tags)
        started, failed = summarize_stock(log_path)
        # A failing stock test is retried once on a database without the addon: failing there too, it is
        # stock's own (a flaky tour, a test that needs data we do not have); passing there, it is ours.
        flaky, retry_code = {}, None
        if failed:
            say(f"{len(failed)} stock test(s) failed; retrying them on a database without {MODULE}")
            retry_code, retry_log = run_odoo_tests(
                odoo_package, postgres, 'stock_without_addon', STOCK_MODULES + DEMO_MODULES[1:] + BRIDGE_APPS,
                ','.join(failed) + ',-at_install',
            )  # fmt: skip
            refailed = summarize_stock(retry_log)[1]
            for tag in list(failed):
                if tag in refailed or any(tag.startswith(other + '.') for other in refailed):
                    flaky[tag] = failed.pop(tag)
    finally:
        postgres.stop()
    duration = time.time() - started_at
    n_failed = len(failed)
    problems = []
    if not started:
        problems.append("no stock test ran: the install failed or no test was found (see the log)")
    elif returncode not in (0, None) and not failed and not flaky:
        problems.append(f"Odoo exited with code {returncode} (see the log)")
    n_passed = len(started) - n_failed - len(flaky)
    print("\n==================== stock Odoo tests with customer_portal ====================")
    print(f"modules: {', '.join(STOCK_TEST_TAGS)}")
    print(
        f"ran: {len(started)}   passed: {n_passed}   failed: {n_failed}   excluded: {len(exclusions)}   "
        f"stock-broken/flaky: {len(flaky)}   time: {duration:.0f}s"
    )
    for entry in exclusions:
        print(f"  excluded {entry['stock_test']}: {entry['why']} (ours: {entry['proved_by']})")
    for tag, line in flaky.items():
        print(f"  STOCK-BROKEN/FLAKY (fails without {MODULE} too, not counted as ours) {tag}: {line}")
    for tag, line in failed.items():
        print(f"  FAILED because of {MODULE} {tag}: {line}")
    for line in problems:
        print(f"  {line}")
    n_failed += len(problems)
    print(f"{n_passed} passed, {n_failed} failed", flush=True)
    return 1 if n_failed else 0

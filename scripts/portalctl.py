#!/usr/bin/env python3
"""Run or test the customer_portal addon on this machine's Odoo 18.

    python3 scripts/portalctl.py run     # demo database, served on 127.0.0.1:8069
    python3 scripts/portalctl.py test    # throwaway database, every test, summary
    python3 scripts/portalctl.py stock-tests  # stock Odoo's tests of the modules we extend, addon installed

Odoo 18 itself is a prerequisite: ``python3 -c "import odoo"`` must work.  This script
installs what the package registries provide (the addon's Python requirements; PostgreSQL,
wkhtmltopdf and Chromium from Debian when run as root) and, unless PGHOST names an existing
server, runs a PostgreSQL cluster of its own under .data/.

Environment:
    PGHOST, PGPORT, PGUSER, PGPASSWORD   use this PostgreSQL server instead of the embedded one
    CP_DATA_DIR      where the embedded cluster, the filestore and logs live (default: .data)
    CP_DB            name of the demo database of `run` (default: customer_portal_demo)
    CP_HTTP_PORT     port of `run` (default: 8069)
    CP_KEEP_POSTGRES set to 1 to leave the embedded PostgreSQL running after `test`
    ODOO_ADDONS_PATH extra addons directories, comma separated
"""
import argparse
import glob
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE = 'customer_portal'
# Installed beside the addon so that the demo shows online payments (payment_demo) and bank
# transfers announced from the portal (payment_custom's Wire Transfer).
DEMO_MODULES = [MODULE, 'payment_demo', 'payment_custom']
# The test database also holds auth_totp_mail_enforce (CE, codes by email; off until its policy is
# set), which overrides the same second-factor check as the addon: tests/test_mfa_mail_enforce.py.
TEST_MODULES = DEMO_MODULES + ['auth_totp_mail_enforce']
DATA = Path(os.environ.get('CP_DATA_DIR') or ROOT / '.data').resolve()
PG_USER = 'odoo'  # Odoo refuses to run as the "postgres" role.
TEST_TIMEOUT = 30 * 60  # a guard against a hung browser; the suite itself takes a few minutes
# axe-core, the accessibility engine behind Lighthouse's score, run by tests/test_accessibility.py in the
# tours' Chromium. Pinned: a new axe version may add rules, and that must be a commit of ours.
AXE_VERSION = '4.10.3'
AXE_DIR = DATA / 'axe'
AXE_JS = AXE_DIR / 'node_modules' / 'axe-core' / 'axe.min.js'
# The stock modules whose code the addon extends: their post-install tests run with the addon installed
# (`stock-tests`). A feature that overrides another stock module adds that module's tests here.
STOCK_TEST_TAGS = [
    '/portal', '/payment', '/account_payment', '/auth_totp', '/auth_totp_portal', '/auth_signup',
    '/sale', '/sale_management', '/account:TestPortalInvoice', '/account:TestPortalAttachment',
]
# What the stock tests' database holds besides the addon, for the retry on a database without it.
STOCK_MODULES = ['portal', 'payment', 'account', 'account_payment', 'auth_totp', 'auth_totp_portal',
                 'auth_signup', 'sale', 'sale_management']
STOCK_EXCLUSIONS = ROOT / 'tests' / 'stock_test_exclusions.json'

DEBIAN_PACKAGES = {
    # command: Debian package
    'initdb': 'postgresql',
    'wkhtmltopdf': 'wkhtmltopdf',
    'chromium': 'chromium',
}


def say(message):
    print(f"[portalctl] {message}", flush=True)


def die(message, code=2):
    print(f"[portalctl] error: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


# ---------------------------------------------------------------------------
# Prerequisites
# ---------------------------------------------------------------------------

def check_odoo():
    try:
        import odoo.release  # noqa: PLC0415
    except ImportError:
        die("python3 cannot import Odoo. Odoo 18.0 is a prerequisite: install it (with its own "
            "Python requirements) so that `python3 -c 'import odoo'` works; see README.md.")
    if odoo.release.version_info[0] != 18:
        die(f"Odoo 18 is required, python3 imports Odoo {odoo.release.version}.")
    return Path(odoo.__file__).resolve().parent


def ensure_python_requirements(*files):
    wanted = {'pyotp': 'pyotp', 'qrcode': 'qrcode', 'websocket': 'requirements-test.txt'}
    import importlib.util  # noqa: PLC0415
    missing = [name for name in wanted if importlib.util.find_spec(name) is None]
    if not missing:
        return
    say(f"installing Python requirements ({', '.join(missing)} missing)")
    cmd = [sys.executable, '-m', 'pip', 'install', '--quiet']
    for file in files:
        cmd += ['-r', str(ROOT / file)]
    if subprocess.call(cmd) != 0:
        die(f"could not install {', '.join(files)} with pip.")


def find_pg_command(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f'/usr/lib/postgresql/*/bin/{name}'),
                        key=lambda p: int(p.split('/')[4]) if p.split('/')[4].isdigit() else 0)
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
        die(f"missing {', '.join(missing)}: install the Debian package(s) {' '.join(packages)} "
            f"(apt-get install {' '.join(packages)}), or run this command as root.")
    say(f"installing Debian packages: {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    if subprocess.call(['apt-get', 'update', '-qq'], env=env) != 0 or \
            subprocess.call(['apt-get', 'install', '-y', '-qq', *packages], env=env) != 0:
        die(f"apt-get could not install {' '.join(packages)}.")


# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------

class Postgres:
    """The server Odoo talks to: an existing one (PGHOST) or an embedded cluster under DATA."""

    def __init__(self):
        self.external = bool(os.environ.get('PGHOST'))
        home = self._home()
        self.pgdata = home / 'postgres'
        self.socket_dir = home / 'run'
        self.started_here = False

    def _home(self):
        """DATA, unless root runs us from a folder the postgres user cannot reach (e.g. under /root)."""
        DATA.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0 or self._pg_call(['test', '-x', str(DATA)]) == 0:
            return DATA
        digest = hashlib.sha1(str(DATA).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f'customer_portal-{digest}'

    @property
    def odoo_args(self):
        if self.external:
            return []  # libpq reads PGHOST, PGPORT, PGUSER and PGPASSWORD itself
        return ['--db_host', str(self.socket_dir), '--db_port', '5432', '--db_user', PG_USER]

    def connect(self, dbname='postgres'):
        import psycopg2  # noqa: PLC0415
        kwargs = {} if self.external else {'host': str(self.socket_dir), 'port': 5432, 'user': PG_USER}
        connection = psycopg2.connect(dbname=dbname, **kwargs)
        connection.autocommit = True
        return connection

    def _pg_call(self, cmd):
        """Run a PostgreSQL server command; as root, as the postgres user (PostgreSQL refuses root)."""
        if os.geteuid() == 0:
            cmd = ['runuser', '-u', 'postgres', '--', *cmd]
        return subprocess.call(cmd, stdout=subprocess.DEVNULL, cwd='/')

    def start(self):
        if self.external:
            say(f"using the PostgreSQL server at {os.environ['PGHOST']}")
            return
        initdb, pg_ctl = find_pg_command('initdb'), find_pg_command('pg_ctl')
        for folder in (self.pgdata, self.socket_dir):
            folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.pgdata, 'postgres', 'postgres')
            shutil.chown(self.socket_dir, 'postgres', 'postgres')
            os.chmod(self.pgdata, 0o700)
        if not (self.pgdata / 'PG_VERSION').exists():
            say(f"creating a PostgreSQL cluster in {self.pgdata}")
            cmd = [initdb, '-D', str(self.pgdata), '-U', PG_USER, '-A', 'trust',
                   '-E', 'UTF8', '--locale=C.UTF-8']
            if self._pg_call(cmd) != 0:
                die(f"initdb failed for {self.pgdata} (if run as root, the postgres user must be able "
                    f"to reach this folder; set CP_DATA_DIR elsewhere).")
        if self._pg_call([pg_ctl, 'status', '-D', str(self.pgdata)]) == 0:
            return
        say("starting PostgreSQL")
        logfile = self.socket_dir / 'postgres.log'
        options = f"-k {self.socket_dir} -c listen_addresses='' -c fsync=off -c max_connections=200"
        cmd = [pg_ctl, 'start', '-w', '-t', '60', '-D', str(self.pgdata), '-l', str(logfile), '-o', options]
        if self._pg_call(cmd) != 0:
            die(f"PostgreSQL did not start; see {logfile}.")
        self.started_here = True

    def stop(self):
        # Several test runs may share the cluster: the last one out stops it.
        others = self.query('postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE %s",
                            (f'{MODULE}_test_%',))
        if self.started_here and not others and not os.environ.get('CP_KEEP_POSTGRES'):
            self._pg_call([find_pg_command('pg_ctl'), 'stop', '-m', 'fast', '-D', str(self.pgdata)])

    def database_exists(self, dbname):
        return bool(self.query('postgres', "SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)))

    def query(self, dbname, sql, params=()):
        """The first column of the first row, or None."""
        connection = self.connect(dbname)
        try:
            with connection.cursor() as cr:
                cr.execute(sql, params)
                row = cr.fetchone() if cr.description else None
                return row and row[0]
        finally:
            connection.close()

    def module_installed(self, dbname, module):
        try:
            return self.query(dbname, "SELECT state FROM ir_module_module WHERE name = %s", (module,)) == 'installed'
        except Exception:  # noqa: BLE001 - a broken or half-made database is simply not ready
            return False

    def drop_database(self, dbname):
        self.query('postgres', "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (dbname,))
        self.query('postgres', f'DROP DATABASE IF EXISTS "{dbname}"')


# ---------------------------------------------------------------------------
# Odoo
# ---------------------------------------------------------------------------

def addons_path(odoo_package):
    """Odoo's addons, then a folder holding this repository under its technical name."""
    link_parent = DATA / 'addons'
    link_parent.mkdir(parents=True, exist_ok=True)
    link = link_parent / MODULE
    if link.is_symlink() and link.resolve() != ROOT:
        link.unlink()
    if not link.exists():
        link.symlink_to(ROOT, target_is_directory=True)
    paths = [str(p) for p in (odoo_package.parent / 'addons', odoo_package / 'addons') if p.is_dir()]
    extra = [p for p in os.environ.get('ODOO_ADDONS_PATH', '').split(',') if p]
    return ','.join(extra + paths + [str(link_parent)])


def odoo_command(odoo_package, postgres, *args):
    return [sys.executable, '-m', 'odoo', '--addons-path', addons_path(odoo_package),
            '--data-dir', str(DATA / 'odoo'), *postgres.odoo_args, *args]


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def cmd_run(args):
    odoo_package = check_odoo()
    ensure_python_requirements('requirements.txt')
    ensure_debian_packages(['initdb', 'wkhtmltopdf'])
    postgres = Postgres()
    postgres.start()
    dbname = os.environ.get('CP_DB', 'customer_portal_demo')
    port = int(os.environ.get('CP_HTTP_PORT', '8069'))
    if postgres.database_exists(dbname) and postgres.module_installed(dbname, MODULE):
        say(f"updating the addon in the existing database {dbname}")
        step = ['-u', MODULE]
    else:
        if postgres.database_exists(dbname):
            postgres.drop_database(dbname)  # a half-made database from an interrupted run
        say(f"creating the demo database {dbname} (a few minutes)")
        step = ['-i', ','.join(DEMO_MODULES)]
    if subprocess.call(odoo_command(odoo_package, postgres, '-d', dbname, *step, '--stop-after-init',
                                    '--log-level', 'warn')) != 0:
        die("Odoo could not install the addon; see the messages above.")
    slug = postgres.query(dbname, "SELECT portal_slug FROM res_company ORDER BY id LIMIT 1")
    base = f"http://127.0.0.1:{port}"
    # The address the demo is served on, from the first request on: links, the portal URL in
    # Settings, and the invoice PDFs the server's background job makes (wkhtmltopdf loads their
    # styles from it).
    postgres.query(dbname, "UPDATE ir_config_parameter SET value = %s WHERE key = 'web.base.url'", (base,))
    print(f"""
Customer Portal demo on Odoo 18
  Back office : {base}/odoo          login: admin       password: admin
  Portal URL  : {base}/portal/{slug}
  Customer    : login: emma.wilson@northwind.example   password: portal-demo (more in README.md)
Press Ctrl+C to stop.
""", flush=True)
    try:
        return subprocess.call(odoo_command(odoo_package, postgres, '-d', dbname, '--db-filter', f'^{dbname}$',
                                            '--http-interface', '127.0.0.1', '--http-port', str(port)))
    except KeyboardInterrupt:
        return 0


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

LOG_LINE = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>\S+): (?P<msg>.*)')
TEST_START = re.compile(r'^Starting (?P<test>\S+) \.\.\.')
TEST_FAIL = re.compile(r'^(?P<kind>FAIL|ERROR): (?P<test>(?:Subtest )?\S+(?: \(.*\))?)')
ODOO_REPORT = re.compile(r'(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests')


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
    odoo_package = check_odoo()
    ensure_python_requirements('requirements.txt', 'requirements-test.txt')
    ensure_debian_packages(['initdb', 'wkhtmltopdf', 'chromium'])
    axe_js = ensure_axe()
    postgres = Postgres()
    postgres.start()
    dbname = f"{MODULE}_test_{int(time.time())}_{os.getpid()}"
    log_path = DATA / 'logs' / f'{dbname}.log'
    log_path.parent.mkdir(parents=True, exist_ok=True)
    tags = ','.join(f'/{MODULE}:{tag}' for tag in args.tags.split(',')) if args.tags else f'/{MODULE}'
    cmd = odoo_command(odoo_package, postgres, '-d', dbname, '-i', ','.join(TEST_MODULES),
                       '--test-enable', '--test-tags', tags, '--stop-after-init',
                       '--http-interface', '127.0.0.1', '--http-port', str(free_port()),
                       '--max-cron-threads', '0', '--logfile', str(log_path))
    say(f"installing {MODULE} with its tests in the throwaway database {dbname}; full log: {log_path}")
    started_at = time.time()
    returncode = None
    try:
        log_path.unlink(missing_ok=True)
        process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                   env=dict(os.environ, CP_AXE_JS=str(axe_js)))
        returncode = follow(process, log_path)
    finally:
        try:
            postgres.drop_database(dbname)
        except Exception as e:  # noqa: BLE001 - report, the summary matters more
            say(f"could not drop {dbname}: {e}")
        shutil.rmtree(DATA / 'odoo' / 'filestore' / dbname, ignore_errors=True)
        postgres.stop()
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
    cmd = ['npm', 'install', '--prefix', str(AXE_DIR), '--no-save', '--no-audit', '--no-fund',
           '--loglevel', 'error', f'axe-core@{AXE_VERSION}']
    if subprocess.call(cmd) != 0 or not AXE_JS.exists():
        die(f"npm could not install axe-core@{AXE_VERSION}.")
    return AXE_JS


# ---------------------------------------------------------------------------
# Stock tests
# ---------------------------------------------------------------------------

STOCK_LOGGER = re.compile(r'^odoo\.addons\.(?P<module>\w+)\.tests\b')
TEST_ID = re.compile(r'^(?:Subtest )?(?P<cls>\w+)\.(?P<method>\w+)|^\w+ \((?:[\w.]+\.)?(?P<cls2>\w+)\)')


def read_stock_exclusions():
    """The stock tests the addon fails on purpose: tests/stock_test_exclusions.json, checked entry by entry."""
    import json  # noqa: PLC0415
    entries = json.loads(STOCK_EXCLUSIONS.read_text(encoding='utf-8'))
    ours = '\n'.join(path.read_text(encoding='utf-8') for path in (ROOT / 'tests').glob('test_*.py'))
    for entry in entries:
        test, why, proof = entry.get('stock_test', ''), entry.get('why', ''), entry.get('proved_by', '')
        if not re.fullmatch(r'/\w+:\w+\.\w+', test) or len(why.strip()) < 20:
            die(f"{STOCK_EXCLUSIONS.name}: each entry needs stock_test ('/module:Class.method') and a why: {entry}")
        match = re.fullmatch(r'/customer_portal:(\w+)\.(\w+)', proof)
        if not match or f'class {match[1]}(' not in ours or f'def {match[2]}(' not in ours:
            die(f"{STOCK_EXCLUSIONS.name}: {test} must name in proved_by an existing test of ours "
                f"('/customer_portal:Class.method'), not {proof!r}")
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


def run_odoo_tests(odoo_package, postgres, label, modules, tags):
    """Install `modules` with demo data in a throwaway database, run the tests `tags` select, drop it."""
    dbname = f"{MODULE}_test_{label}_{int(time.time())}_{os.getpid()}"
    log_path = DATA / 'logs' / f'{dbname}.log'
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = odoo_command(odoo_package, postgres, '-d', dbname, '-i', ','.join(modules),
                       '--test-enable', '--test-tags', tags, '--stop-after-init',
                       '--http-interface', '127.0.0.1', '--http-port', str(free_port()),
                       '--max-cron-threads', '0', '--logfile', str(log_path))
    say(f"{label}: installing {', '.join(modules)} in {dbname}, then the tests; full log: {log_path}")
    returncode = None
    try:
        process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        returncode = follow(process, log_path, quiet=True)
    finally:
        try:
            postgres.drop_database(dbname)
        except Exception as e:  # noqa: BLE001 - report, the summary matters more
            say(f"could not drop {dbname}: {e}")
        shutil.rmtree(DATA / 'odoo' / 'filestore' / dbname, ignore_errors=True)
    started, failed = summarize_stock(log_path)
    return returncode, started, failed


def cmd_stock_tests(args):
    """Stock Odoo's post-install tests of the modules the addon extends, with the addon installed."""
    odoo_package = check_odoo()
    ensure_python_requirements('requirements.txt', 'requirements-test.txt')
    ensure_debian_packages(['initdb', 'wkhtmltopdf', 'chromium'])
    exclusions = read_stock_exclusions()
    postgres = Postgres()
    postgres.start()
    started_at = time.time()
    # `-at_install`: at-install tests run while each module installs, so the stock modules' ones would run
    # before customer_portal (installed after them) is loaded: they would test stock Odoo without the
    # addon, and run again on a database where it is installed they would see modules their authors did
    # not load. Post-install tests run once everything is installed: the addon's effect on stock.
    tags = ','.join(STOCK_TEST_TAGS + ['-at_install'] + ['-' + entry['stock_test'] for entry in exclusions])
    try:
        returncode, started, failed = run_odoo_tests(odoo_package, postgres, 'stock', DEMO_MODULES, tags)
        # A failing stock test is retried once on a database without the addon: failing there too, it is
        # stock's own (a flaky tour, a test that needs data we do not have); passing there, it is ours.
        flaky, retry_code = {}, None
        if failed:
            say(f"{len(failed)} stock test(s) failed; retrying them on a database without {MODULE}")
            retry_code, _started, refailed = run_odoo_tests(
                odoo_package, postgres, 'stock_without_addon', STOCK_MODULES + DEMO_MODULES[1:],
                ','.join(failed) + ',-at_install')
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
    print(f"ran: {len(started)}   passed: {n_passed}   failed: {n_failed}   excluded: {len(exclusions)}   "
          f"stock-broken/flaky: {len(flaky)}   time: {duration:.0f}s")
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


def follow(process, log_path, quiet=False):
    """Wait for Odoo, echoing test progress (unless quiet) and problems from its log as they come."""
    deadline = time.time() + TEST_TIMEOUT
    position, echoing, testing = 0, False, False
    while True:
        finished = process.poll() is not None
        if log_path.exists():
            with open(log_path, encoding='utf-8', errors='replace') as log:
                log.seek(position)
                chunk = log.read()
                position = log.tell()
            for line in chunk.splitlines():
                match = LOG_LINE.match(line)
                if match:
                    starting = match['logger'].startswith(f'odoo.addons.{MODULE}') and match['msg'].startswith('Starting')
                    if quiet and match['logger'].startswith('odoo.addons.') and match['msg'].startswith('Starting'):
                        testing = True  # the stock tests' progress is in the log; echo their problems only
                    testing = testing or starting
                    # Warnings matter during the install; during the tests they are mostly the
                    # refusals the tests provoke on purpose (they stay in the full log).
                    echoing = starting or match['level'] in ('ERROR', 'CRITICAL') or (
                        match['level'] == 'WARNING' and not testing)
                if echoing:  # a problem, a test starting, or the traceback under a problem
                    print(line[:500], flush=True)
        if finished:
            return process.returncode
        if time.time() > deadline:
            process.kill()
            say(f"tests stopped after {TEST_TIMEOUT // 60} minutes")
            return -1
        time.sleep(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser('run', help="serve a demo database on 127.0.0.1")
    test = sub.add_parser('test', help="run every test on a throwaway database")
    test.add_argument('--tags', default='', help="restrict to these test classes or methods (Odoo test-tags syntax "
                                                  "after the module, e.g. TestPortalSettings)")
    sub.add_parser('stock-tests', help="stock Odoo's post-install tests of the modules the addon extends, "
                                       "on a throwaway database with the addon and demo data")
    args = parser.parse_args()
    commands = {'run': cmd_run, 'test': cmd_test, 'stock-tests': cmd_stock_tests}
    sys.exit(commands[args.command](args))


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Benchmark the customer portal against stock Odoo, in the same run (`make bench`).

Two databases are built by the same generator: "stock" (the Odoo modules the addon depends on, plus
payment_demo) and "ours" (the same database with customer_portal installed on top). For each size (the
number of posted invoices of one customer company), each is served by Odoo with `--workers=2` (prefork,
as in production) and measured over HTTP as a customer signed in through the login form:

* every portal page: median and p95 time over BENCH_REQUESTS requests after warm-up, and the SQL
  queries per request (read from Odoo's werkzeug log line);
* at the largest size: sign-in (password only; password + authenticator code), the creation of the
  payment transaction of 1 and of 200 invoices, BENCH_USERS concurrent customers for
  BENCH_CONCURRENT_SECONDS, and the peak memory (RSS) of the Odoo workers.

The table goes to stdout and to .data/bench/<date>.md. The generated databases are kept as templates
(bench_stock_<size>, bench_ours_<size>) and reused by the next run while the generator, Odoo and the
addon's data files (manifest, models, views, data, security, report) are unchanged; each measurement
runs on a fresh copy of them.

Environment:
    BENCH_SIZES                 comma separated invoice counts (default 10,1000,10000)
    BENCH_REQUESTS              timed requests per page (default 30)
    BENCH_CONCURRENT_SECONDS    length of the concurrent-customers run (default 60)
    BENCH_USERS                 concurrent customers (default 50)
    BENCH_REBUILD               set to 1 to rebuild the template databases
"""

# A command-line tool, not addon code: it prints, and its data generator commits batch by batch.
# pylint: disable=print-used,invalid-commit,except-pass
import datetime
import hashlib
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import portalctl  # noqa: E402
from portalctl import DATA, MODULE, ROOT, Postgres, check_odoo, free_port, odoo_command  # noqa: E402

# Bump when the generator makes different data: the template databases are then rebuilt.
GENERATOR_VERSION = 4
STOCK_MODULES = ['portal', 'account_payment', 'sale_management', 'auth_totp_portal', 'auth_signup', 'payment_demo']
BENCH_DIR = DATA / 'bench'
PASSWORD = 'bench-password-1'
MAIN_LOGIN = 'bench.customer@example.com'
N_TOTP_USERS = 40  # each signs in once per run: our codes cannot be replayed
N_CROWD = 60  # customer companies of the concurrent run, one portal user each
CROWD_INVOICES = 10  # invoices of each of them
YEARS = 3  # the invoices are spread over the last three years

SIZES = [int(s) for s in os.environ.get('BENCH_SIZES', '10,1000,10000').split(',') if s.strip()]
N_REQUESTS = int(os.environ.get('BENCH_REQUESTS', '30'))
CONCURRENT_SECONDS = int(os.environ.get('BENCH_CONCURRENT_SECONDS', '60'))
N_USERS = min(int(os.environ.get('BENCH_USERS', '50')), N_CROWD)
SIGN_INS = 20  # timed sign-ins of each kind (a password check takes ~0.5 s of CPU)
PAGE_BUDGET = 90  # seconds: a page slower than that per BENCH_REQUESTS gets fewer requests (>= 5)


def say(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ---------------------------------------------------------------------------
# Odoo processes
# ---------------------------------------------------------------------------


def odoo_cmd(odoo_package, postgres, *args):
    # portalctl's odoo_command starts Odoo through scripts/odoo_bin.py, with which prefork's websocket
    # (gevent) process starts once instead of being respawned in a loop (see that file).
    return odoo_command(odoo_package, postgres, *args)


def run_odoo(odoo_package, postgres, *args, log=None):
    cmd = odoo_cmd(
        odoo_package,
        postgres,
        *args,
        '--stop-after-init',
        '--max-cron-threads',
        '0',
        '--no-http',
        '--log-level',
        'warn',
    )
    if log:
        cmd += ['--logfile', str(log)]
    if subprocess.call(cmd) != 0:
        portalctl.die(f"Odoo failed: {' '.join(args)}" + (f"; see {log}" if log else ''))


def filestore(dbname):
    return DATA / 'odoo' / 'filestore' / dbname


def copy_database(postgres, source, target):
    postgres.drop_database(target)
    postgres.query('postgres', "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (source,))
    postgres.query('postgres', f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    shutil.rmtree(filestore(target), ignore_errors=True)
    if filestore(source).exists():
        shutil.copytree(filestore(source), filestore(target))


def drop_database(postgres, dbname):
    postgres.drop_database(dbname)
    shutil.rmtree(filestore(dbname), ignore_errors=True)


# ---------------------------------------------------------------------------
# Template databases
# ---------------------------------------------------------------------------


def addon_hash():
    """What of the addon lands in a database: when it changes, the "ours" templates are rebuilt."""
    digest = hashlib.sha1()
    files = [
        ROOT / '__manifest__.py',
        *sorted(
            p
            for folder in ('models', 'views', 'data', 'security', 'report')
            for p in (ROOT / folder).rglob('*')
            if p.is_file() and p.suffix in ('.py', '.xml', '.csv')
        ),
    ]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def template_keys():
    import odoo.release  # noqa: PLC0415

    base = f"odoo{odoo.release.version}-{','.join(STOCK_MODULES)}"
    stock = f"gen{GENERATOR_VERSION}-{base}"
    return {'base': base, 'stock': stock, 'ours': f"{stock}-{addon_hash()}"}


def stored_key(postgres, dbname):
    if not postgres.database_exists(dbname):
        return None
    try:
        return postgres.query(dbname, "SELECT value FROM ir_config_parameter WHERE key = 'bench.template_key'")
    except Exception:  # noqa: BLE001 - a half-made database has no key
        return None


def set_key(postgres, dbname, key):
    postgres.query(dbname, "DELETE FROM ir_config_parameter WHERE key = 'bench.template_key'")
    postgres.query(
        dbname,
        "INSERT INTO ir_config_parameter (key, value, create_uid, write_uid, create_date, write_date)"
        " VALUES ('bench.template_key', %s, 1, 1, now(), now())",
        (key,),
    )


def ensure_templates(odoo_package, postgres, sizes):
    """bench_stock_<size> and bench_ours_<size>, built when missing or stale; returns build times."""
    keys = template_keys()
    rebuild = bool(os.environ.get('BENCH_REBUILD'))
    times = {}
    logs = BENCH_DIR / 'logs'
    logs.mkdir(parents=True, exist_ok=True)
    base = 'bench_base'
    for size in sizes:
        stock, ours = f'bench_stock_{size}', f'bench_ours_{size}'
        if rebuild or stored_key(postgres, stock) != keys['stock']:
            if stored_key(postgres, base) != keys['base']:
                started = time.time()
                say(f"installing {', '.join(STOCK_MODULES)} in {base} (no demo data)")
                drop_database(postgres, base)
                run_odoo(
                    odoo_package,
                    postgres,
                    '-d',
                    base,
                    '-i',
                    ','.join(STOCK_MODULES),
                    '--without-demo',
                    'all',
                    log=logs / f'{base}.log',
                )
                set_key(postgres, base, keys['base'])
                times['install stock modules'] = time.time() - started
            started = time.time()
            say(f"generating {size} invoices in {stock}")
            drop_database(postgres, ours)
            copy_database(postgres, base, stock)
            generator(odoo_package, postgres, 'generate', stock, size)
            set_key(postgres, stock, keys['stock'])
            times[f'generate {size}'] = time.time() - started
        if rebuild or stored_key(postgres, ours) != keys['ours']:
            started = time.time()
            say(f"installing {MODULE} on a copy of {stock}: {ours}")
            copy_database(postgres, stock, ours)
            run_odoo(odoo_package, postgres, '-d', ours, '-i', MODULE, log=logs / f'{ours}.log')
            generator(odoo_package, postgres, 'configure', ours, size)
            set_key(postgres, ours, keys['ours'])
            times[f'install {MODULE} on {size}'] = time.time() - started
        # Planner statistics, as autovacuum keeps them in production: a copy made before autovacuum
        # came by has none, and PostgreSQL then picks plans 100x slower for the portal's record rules.
        for dbname in (stock, ours):
            postgres.query(dbname, 'ANALYZE')
    return times


def generator(odoo_package, postgres, step, dbname, size):
    cmd = [sys.executable, __file__, step, dbname, str(size)]
    if subprocess.call(cmd) != 0:
        portalctl.die(f"the generator failed ({step} {dbname})")


def odoo_env(odoo_package, postgres, dbname):
    import odoo  # noqa: PLC0415

    args = odoo_cmd(odoo_package, postgres, '-d', dbname)[2:]
    odoo.tools.config.parse_config(args + ['--log-level', 'warn', '--max-cron-threads', '0'])
    registry = odoo.modules.registry.Registry(dbname)
    return odoo, registry


def generate(dbname, size):
    """One customer company with `size` posted invoices over three years, credit notes, payments
    (most invoices paid, some partially, some credit notes applied), quotations and sales orders;
    N_TOTP_USERS portal users of it with an authenticator app; N_CROWD other customer companies
    with a portal user and CROWD_INVOICES invoices each."""
    odoo, registry = odoo_env(check_odoo(), Postgres(), dbname)
    from odoo import Command, fields  # noqa: PLC0415

    rnd = random.Random(size)
    started = time.time()
    with registry.cursor() as cr:
        env = odoo.api.Environment(
            cr,
            odoo.SUPERUSER_ID,
            {'tracking_disable': True, 'mail_notrack': True, 'mail_create_nolog': True, 'no_reset_password': True},
        )
        portal = env.ref('base.group_portal')
        product = env['product.product'].create(
            {'name': 'Bench Service', 'type': 'service', 'list_price': 100, 'taxes_id': [Command.clear()]}
        )
        customer = env['res.partner'].create(
            {
                'name': 'Bench Customer Inc',
                'is_company': True,
                'email': 'billing@bench-customer.example',
                'street': '1 Bench Street',
                'city': 'Springfield',
            }
        )
        env['res.partner'].create(
            [
                {'name': 'Bench Billing', 'parent_id': customer.id, 'type': 'invoice', 'street': '2 Invoice Road'},
                {'name': 'Bench Warehouse', 'parent_id': customer.id, 'type': 'delivery', 'street': '3 Dock Lane'},
            ]
            + [
                {
                    'name': f'Bench Contact {i}',
                    'parent_id': customer.id,
                    'type': 'contact',
                    'email': f'contact{i}@bench-customer.example',
                }
                for i in range(4)
            ]
        )
        contacts = env['res.partner'].create(
            [{'name': 'Bench Buyer', 'parent_id': customer.id, 'email': MAIN_LOGIN}]
            + [
                {'name': f'Bench Totp {i:02d}', 'parent_id': customer.id, 'email': f'bench.totp{i:02d}@example.com'}
                for i in range(N_TOTP_USERS)
            ]
        )
        crowd = env['res.partner'].create(
            [
                {'name': f'Crowd Customer {i:02d}', 'is_company': True, 'email': f'crowd{i:02d}@example.com'}
                for i in range(N_CROWD)
            ]
        )
        crowd_contacts = env['res.partner'].create(
            [
                {'name': f'Crowd Buyer {i:02d}', 'parent_id': c.id, 'email': f'bench.c{i:02d}@example.com'}
                for i, c in enumerate(crowd)
            ]
        )
        users = env['res.users'].create(
            [
                {'name': p.name, 'login': p.email, 'partner_id': p.id, 'groups_id': [Command.set([portal.id])]}
                for p in contacts | crowd_contacts
            ]
        )
        # One password hash for all (hashing is deliberately slow), written as res.users writes it.
        password_hash = env['res.users']._crypt_context().hash(PASSWORD)
        cr.execute("UPDATE res_users SET password = %s WHERE id IN %s", (password_hash, tuple(users.ids)))
        totp_users = users.filtered(lambda u: u.login.startswith('bench.totp'))
        for user in totp_users:
            user.sudo().totp_secret = totp_secret(user.login)
        env.ref('payment.payment_provider_demo').write({'state': 'test', 'is_published': True})
        cr.commit()

        today = fields.Date.today()
        first = today - datetime.timedelta(days=365 * YEARS)

        def make_moves(partners, count, move_type='out_invoice'):
            """`count` posted moves of each partner, dated over the last YEARS years, oldest first."""
            rows = sorted(
                (first + datetime.timedelta(days=rnd.randrange(365 * YEARS)), partner.id)
                for partner in partners
                for _ in range(count)
            )
            moves = env['account.move']
            for start in range(0, len(rows), 500):
                batch = env['account.move'].create(
                    [
                        {
                            'move_type': move_type,
                            'partner_id': partner_id,
                            'invoice_date': d,
                            'date': d,
                            'invoice_date_due': d + datetime.timedelta(days=30),
                            'invoice_line_ids': [
                                Command.create(
                                    {
                                        'product_id': product.id,
                                        'quantity': rnd.randint(1, 5),
                                        'price_unit': rnd.randint(20, 800)
                                        if move_type == 'out_invoice'
                                        else rnd.randint(5, 40),
                                        'tax_ids': [Command.clear()],
                                    }
                                )
                            ],
                        }
                        for d, partner_id in rows[start : start + 500]
                    ]
                )
                batch.action_post()
                cr.commit()
                moves |= batch
            return moves

        def pay(invoices, amount, date):
            env['account.payment.register'].with_context(active_model='account.move', active_ids=invoices.ids).create(
                {
                    'amount': amount,
                    'payment_date': date,
                    'group_payment': True,
                    'payment_difference_handling': 'open',
                }
            )._create_payments()

        invoices = make_moves(customer, size)
        print(f"  {size} invoices posted in {time.time() - started:.0f}s", flush=True)
        refunds = make_moves(customer, max(1, size // 10), 'out_refund')
        # Roughly: 65 % of the invoices paid by payments of up to 25 invoices, 2.5 % partially paid,
        # half of the credit notes applied to an invoice, the rest outstanding (more of them recent).
        order = list(invoices)
        n_paid = int(size * 0.65)
        paid, rest = order[:n_paid], order[n_paid:]
        for start in range(0, len(paid), 25):
            group = env['account.move'].browse([m.id for m in paid[start : start + 25]])
            pay(
                group,
                sum(group.mapped('amount_residual')),
                max(group.mapped('invoice_date')) + datetime.timedelta(days=10),
            )
            if start % 500 == 0:
                cr.commit()
        partial = rest[: max(1, size // 40)]
        for move in partial:
            pay(move, round(move.amount_residual * 0.4, 2), move.invoice_date + datetime.timedelta(days=5))
        cr.commit()
        unpaid = rest[len(partial) :]
        for refund, move in zip(refunds[: len(refunds) // 2], unpaid[::7], strict=False):
            lines = (refund | move).line_ids.filtered(lambda line: line.account_type == 'asset_receivable')
            lines.reconcile()
        cr.commit()
        print(f"  payments and credit notes in {time.time() - started:.0f}s", flush=True)
        crowd_moves = make_moves(crowd, CROWD_INVOICES)
        # Half of them paid, one payment per company: the wizard groups a multi-partner selection by partner.
        to_pay = crowd_moves.filtered(lambda m: m.id % 2)
        env['account.payment.register'].with_context(active_model='account.move', active_ids=to_pay.ids).create(
            {
                'payment_date': today,
                'group_payment': True,
            }
        )._create_payments()
        cr.commit()
        n_orders = min(max(3, size // 20), 300)
        orders = env['sale.order'].create(
            [
                {
                    'partner_id': customer.id,
                    'order_line': [
                        Command.create(
                            {
                                'product_id': product.id,
                                'product_uom_qty': rnd.randint(1, 9),
                                'price_unit': rnd.randint(50, 900),
                                'tax_id': [Command.clear()],
                            }
                        )
                    ],
                }
                for _ in range(2 * n_orders)
            ]
        )
        orders[:n_orders].action_confirm()
        cr.commit()
        print(f"  generated in {time.time() - started:.0f}s", flush=True)


def configure(dbname, size):
    """Turn on the features measured in the "ours" database."""
    odoo, registry = odoo_env(check_odoo(), Postgres(), dbname)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env['res.company'].search([]).write(
            {
                'portal_bulk_payment': True,
                'portal_display_credit_notes': True,
                'portal_enforce_mfa': False,
            }
        )


def totp_secret(login):
    import base64  # noqa: PLC0415

    return base64.b32encode(hashlib.sha1(login.encode()).digest()[:20]).decode()


# ---------------------------------------------------------------------------
# Serving
# ---------------------------------------------------------------------------


class Server:
    """A copy of a template database served with --workers=2 on free ports; watches the workers' memory."""

    def __init__(self, odoo_package, postgres, template):
        self.odoo_package, self.postgres, self.template = odoo_package, postgres, template
        self.dbname = f'{template}_run'
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.log = BENCH_DIR / 'logs' / f'{self.dbname}.log'
        self.peak_worker_rss = 0
        self.peak_total_rss = 0
        self.gevent_spawns = set()
        self._log_position = 0

    def __enter__(self):
        copy_database(self.postgres, self.template, self.dbname)
        self.postgres.query(
            self.dbname, "UPDATE ir_config_parameter SET value = %s WHERE key = 'web.base.url'", (self.url,)
        )
        self.log.unlink(missing_ok=True)
        cmd = odoo_cmd(
            self.odoo_package,
            self.postgres,
            '-d',
            self.dbname,
            '--db-filter',
            f'^{self.dbname}$',
            '--workers',
            '2',
            '--max-cron-threads',
            '0',
            '--http-interface',
            '127.0.0.1',
            '--http-port',
            str(self.port),
            '--gevent-port',
            str(free_port()),
            '--logfile',
            str(self.log),
            '--log-level',
            'info',
            '--no-database-list',
        )
        self.process = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
        )
        import requests  # noqa: PLC0415

        deadline = time.time() + 180
        while True:
            try:
                if requests.get(self.url + '/web/login', timeout=60).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.time() > deadline:
                portalctl.die(f"Odoo did not start on {self.dbname}; see {self.log}")
            time.sleep(1)
        self._stop_watch = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watcher.start()
        return self

    def _watch(self):
        import psutil  # noqa: PLC0415

        master = psutil.Process(self.process.pid)
        while not self._stop_watch.is_set():
            total = 0
            try:
                for child in master.children():
                    try:
                        if 'gevent' in child.cmdline():
                            self.gevent_spawns.add(child.pid)
                            continue
                        rss = child.memory_info().rss
                    except psutil.Error:
                        continue
                    total += rss
                    self.peak_worker_rss = max(self.peak_worker_rss, rss)
            except psutil.Error:
                pass
            self.peak_total_rss = max(self.peak_total_rss, total)
            self._stop_watch.wait(0.5)

    def __exit__(self, *exc):
        self._stop_watch.set()
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
        drop_database(self.postgres, self.dbname)

    def new_log_lines(self):
        time.sleep(0.3)  # the werkzeug line is written once the response is sent
        with open(self.log, encoding='utf-8', errors='replace') as log:
            log.seek(self._log_position)
            text = log.read()
            self._log_position = log.tell()
        return text.splitlines()


REQUEST_LINE = re.compile(
    r'werkzeug: \S+ - - \[[^\]]*\] "(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" '
    r'(?P<status>\d{3}) \S+ (?P<queries>\d+) (?P<qtime>[\d.]+) (?P<rest>[\d.]+)'
)


def query_counts(lines, path):
    counts = []
    for line in lines:
        match = REQUEST_LINE.search(line)
        if match and match['path'] == path:
            counts.append(int(match['queries']))
    return counts


# ---------------------------------------------------------------------------
# Client
# ---------------------------------------------------------------------------


def csrf_token(html):
    match = re.search(r'name="csrf_token"\s+value="([^"]+)"', html)
    return match and match[1]


def sign_in(url, login, secret=None):
    """Sign in through the login form (and the authenticator-code form); returns the session."""
    import requests  # noqa: PLC0415

    session = requests.Session()
    page = session.get(url + '/web/login?redirect=/my', timeout=60)
    answer = session.post(
        url + '/web/login',
        timeout=60,
        data={'login': login, 'password': PASSWORD, 'csrf_token': csrf_token(page.text), 'redirect': '/my'},
    )
    if secret:
        if '/web/login/totp' not in answer.url:
            raise RuntimeError(f"{login}: no authenticator step ({answer.url})")
        import pyotp  # noqa: PLC0415

        answer = session.post(
            url + '/web/login/totp',
            timeout=60,
            data={'totp_token': pyotp.TOTP(secret).now(), 'csrf_token': csrf_token(answer.text), 'redirect': '/my'},
        )
    if answer.status_code != 200 or not answer.url.endswith('/my'):
        raise RuntimeError(f"{login}: sign-in ended on {answer.status_code} {answer.url}")
    return session


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float('nan')
    k = (len(values) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (k - low)


def time_requests(session, url, n, warmup=3, timeout=300):
    """Warm up, then time n GETs (fewer when a page is slow: at most ~PAGE_BUDGET seconds, at least 5,
    or 1 when one takes more than 30 s)."""
    import requests  # noqa: PLC0415

    first, times, size = None, [], 0
    try:
        for _ in range(warmup):
            started = time.perf_counter()
            answer = session.get(url, timeout=timeout)
            first = time.perf_counter() - started
            if answer.status_code != 200:
                return {'error': f"HTTP {answer.status_code} after {first:.0f} s", 'n': 0}
        if first and first * n > PAGE_BUDGET:
            n = max(5 if first < 30 else 1, int(PAGE_BUDGET / first))
        for _ in range(n):
            started = time.perf_counter()
            answer = session.get(url, timeout=timeout)
            elapsed = time.perf_counter() - started
            if answer.status_code != 200:
                return {'error': f"HTTP {answer.status_code} after {elapsed:.0f} s", 'n': len(times)}
            times.append(elapsed)
            size = len(answer.content)
    except requests.RequestException as e:
        return {'error': f"{type(e).__name__} after {time.perf_counter() - started:.0f} s", 'n': len(times)}
    return {'median': statistics.median(times), 'p95': percentile(times, 95), 'n': n, 'bytes': size}


def db_meta(postgres, dbname):
    q = lambda sql, *params: postgres.query(dbname, sql, params)  # noqa: E731
    customer = q("SELECT id FROM res_partner WHERE name = 'Bench Customer Inc'")
    return {
        'customer': customer,
        'invoice': q(
            "SELECT id FROM account_move WHERE partner_id = %s AND move_type = 'out_invoice' "
            "ORDER BY invoice_date DESC, id DESC LIMIT 1",
            customer,
        ),
        'first_date': q("SELECT min(date) FROM account_move WHERE partner_id = %s", customer),
        'documents': q("SELECT count(*) FROM account_move WHERE partner_id = %s AND state = 'posted'", customer),
    }


def pages(kind, meta):
    today = datetime.date.today()
    statement = f"/my/statement?period=custom&date_from={meta['first_date'].isoformat()}&date_to={today.isoformat()}"
    stock = [
        ('/my', '/my'),
        ('/my/invoices', '/my/invoices'),
        ('/my/invoices (Invoices tab)', '/my/invoices?filterby=invoices'),
        ('an invoice', f"/my/invoices/{meta['invoice']}"),
        ('/my/orders', '/my/orders'),
        ('/my/quotes', '/my/quotes'),
    ]
    ours = [
        ('/my/invoices (Outstanding tab)', '/my/invoices?filterby=unpaid'),
        ('/my/statement (all documents)', statement),
        ('/my/statement PDF', statement + '&report_type=pdf'),
        ('/my/payments', '/my/payments'),
        ('/my/credit_notes', '/my/credit_notes'),
        ('/my/invoices/pay (bulk page)', '/my/invoices/pay'),
    ]
    return stock + (ours if kind == 'ours' else [])


def measure_pages(server, kind, meta):
    session = sign_in(server.url, MAIN_LOGIN)
    results = {}
    for name, url in pages(kind, meta):
        n = N_REQUESTS
        warmup = 3
        if 'PDF' in name:
            warmup = 1
        server.new_log_lines()
        result = time_requests(session, server.url + url, n, warmup=warmup)
        counts = query_counts(server.new_log_lines(), url)
        result['queries'] = statistics.median(counts) if counts else None
        result['queries_max'] = max(counts) if counts else None
        results[name] = result
        say(f"  {kind} {name}: {fmt_result(result)}")
    return results


def fmt_result(r):
    if r.get('error'):
        return f"error {r['error']}"
    return f"median {r['median'] * 1000:.0f} ms, p95 {r['p95'] * 1000:.0f} ms, n={r['n']}, queries {r['queries']}"


def measure_sign_in(server, kind):
    """Median time from opening the login form to /my: password only, then password + code."""
    result = {}
    plain = [f'bench.c{i:02d}@example.com' for i in range(N_CROWD)][-SIGN_INS - 2 :]
    totp = [f'bench.totp{i:02d}@example.com' for i in range(N_TOTP_USERS)][-SIGN_INS - 2 :]
    for label, logins, with_code in (('password', plain, False), ('password + code', totp, True)):
        times = []
        for i, login in enumerate(logins):
            started = time.perf_counter()
            sign_in(server.url, login, totp_secret(login) if with_code else None)
            if i >= 2:  # the first ones are the warm-up
                times.append(time.perf_counter() - started)
        result[label] = {'median': statistics.median(times), 'p95': percentile(times, 95), 'n': len(times)}
        say(f"  {kind} sign-in {label}: median {result[label]['median'] * 1000:.0f} ms")
    return result


def jsonrpc(session, url, params):
    answer = session.post(url, json={'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': params}, timeout=300)
    data = answer.json()
    if 'error' in data:
        raise RuntimeError(f"{url}: {data['error'].get('data', {}).get('message') or data['error']}")
    return data['result']


def measure_transactions(server, postgres, kind, meta):
    """Time to create the payment transaction of one invoice and of 200 (ours: bulk route; stock: the
    invoice's own route, one invoice only)."""
    q = lambda sql, *params: postgres.query(server.dbname, sql, params)  # noqa: E731
    provider = q("SELECT id FROM payment_provider WHERE code = 'demo' LIMIT 1")
    method = q("SELECT id FROM payment_method WHERE code = 'demo' LIMIT 1")
    connection = postgres.connect(server.dbname)
    with connection.cursor() as cr:
        cr.execute(
            "SELECT id, amount_residual FROM account_move WHERE partner_id = %s AND move_type = 'out_invoice' "
            "AND state = 'posted' AND payment_state = 'not_paid' ORDER BY id",
            (meta['customer'],),
        )
        open_invoices = cr.fetchall()
        cr.execute("SELECT currency_id FROM account_move WHERE id = %s", (meta['invoice'],))
        currency = cr.fetchone()[0]
    connection.close()
    session = sign_in(server.url, MAIN_LOGIN)
    tx = {
        'provider_id': provider,
        'payment_method_id': method,
        'token_id': None,
        'flow': 'direct',
        'tokenization_requested': False,
        'landing_route': '/my/payments',
        'is_validation': False,
    }
    result = {}
    plan = [('1 invoice', 1, 12), ('200 invoices', 200, 6)] if kind == 'ours' else [('1 invoice', 1, 12)]
    for label, count, repeats in plan:
        times = []
        for i in range(repeats):
            chunk, open_invoices = open_invoices[:count], open_invoices[count:]
            if len(chunk) < count:
                break
            ids = [row[0] for row in chunk]
            amount = round(sum(float(row[1]) for row in chunk), 2)
            started = time.perf_counter()
            if kind == 'ours':
                jsonrpc(
                    session,
                    server.url + '/my/invoices/pay/transaction',
                    {'invoice_ids': ids, 'amount': amount, 'currency_id': currency, **tx},
                )
            else:
                jsonrpc(
                    session,
                    server.url + f'/invoice/transaction/{ids[0]}',
                    {'access_token': None, 'amount': amount, **tx},
                )
            if i >= 1 or repeats == 1:  # the first one is the warm-up
                times.append(time.perf_counter() - started)
        if times:
            result[label] = {'median': statistics.median(times), 'n': len(times)}
            say(f"  {kind} transaction {label}: median {result[label]['median'] * 1000:.0f} ms (n={len(times)})")
    return result


def crowd_sign_in(server):
    """The N_USERS customers of the concurrent run, signed in at once; returns (sessions, errors)."""
    logins = [f'bench.c{i:02d}@example.com' for i in range(N_USERS)]
    sessions = [None] * N_USERS
    errors = []

    # At most 8 sign-ins at once: Odoo's prefork listens with a backlog of 8 per worker, and a burst of
    # 50 new connections, each holding a worker ~0.3 s for the password hash, has some of them reset.
    gate = threading.Semaphore(8)

    def login(i):
        try:
            with gate:
                sessions[i] = sign_in(server.url, logins[i])
        except Exception as e:  # noqa: BLE001
            errors.append(f"sign-in {logins[i]}: {e}")

    threads = [threading.Thread(target=login, args=(i,)) for i in range(N_USERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sessions, errors


def measure_crowd(server, postgres, kind, mix, signed_in):
    """N_USERS customers of different companies, signed in, browsing `mix` in turn for CONCURRENT_SECONDS."""
    import requests  # noqa: PLC0415

    sessions, errors = signed_in
    invoices = [
        postgres.query(
            server.dbname,
            "SELECT m.id FROM account_move m JOIN res_partner p ON p.id = m.partner_id "
            "WHERE p.name = %s AND m.move_type = 'out_invoice' ORDER BY m.id LIMIT 1",
            (f'Crowd Customer {i:02d}',),
        )
        for i in range(N_USERS)
    ]
    latencies, failures = [], []
    lock = threading.Lock()
    start_at = time.time() + 1
    stop_at = start_at + CONCURRENT_SECONDS

    def browse(i):
        session = sessions[i]
        if session is None:
            return
        k = i
        time.sleep(max(0.0, start_at - time.time()))
        while time.time() < stop_at:
            url = mix[k % len(mix)].format(invoice=invoices[i])
            k += 1
            started = time.perf_counter()
            try:
                answer = session.get(server.url + url, timeout=120)
                ok = answer.status_code == 200 and urlsplit(answer.url).path == urlsplit(url).path
                why = f"{answer.status_code} {url}"
            except requests.RequestException as e:
                ok, why = False, f"{type(e).__name__} {url}"
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    failures.append(why)

    threads = [threading.Thread(target=browse, args=(i,)) for i in range(N_USERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duration = time.time() - start_at
    result = {
        'rps': len(latencies) / duration,
        'p50': percentile(latencies, 50),
        'p95': percentile(latencies, 95),
        'p99': percentile(latencies, 99),
        'errors': len(failures) + len(errors),
        'requests': len(latencies),
        'error_samples': (errors + failures)[:5],
    }
    say(
        f"  {kind} {N_USERS} customers: {result['rps']:.1f} req/s, p95 {result['p95'] * 1000:.0f} ms, "
        f"errors {result['errors']} {result['error_samples']}"
    )
    return result


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def ms(value):
    return '—' if value is None or value != value else f"{value * 1000:.0f}"


def ratio(a, b):
    if not a or not b or a != a or b != b:
        return '—'
    return f"{a / b:.2f}x"


def render(results, build_times, total, sizes):
    out = [
        f"# Customer portal benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        '',
        f"Odoo 18 `--workers=2` on {os.cpu_count()} cores; sizes = posted invoices of one customer company "
        f"(+10 % credit notes, 65 % paid, 2.5 % partially paid, orders and quotations). Times in ms over "
        f"n requests after warm-up; queries = SQL queries per request (median, from the werkzeug log).",
        '',
    ]
    out += [
        '## Pages',
        '',
        '| page | size | stock median | stock p95 | stock queries | ours median | ours p95 | ours queries '
        '| ratio (median) | n | page KB |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ]
    names = [name for name, _ in pages('ours', {'first_date': datetime.date.today(), 'invoice': 0})]
    for name in names:
        for size in sizes:
            s = results.get(('stock', size), {}).get('pages', {}).get(name)
            o = results.get(('ours', size), {}).get('pages', {}).get(name)
            if not s and not o:
                continue
            s, o = s or {}, o or {}
            stock_cells = f"{ms(s.get('median'))} | {ms(s.get('p95'))} | {s.get('queries', '—') if s else '—'}"
            ours_cells = (
                f"{o.get('error') or ms(o.get('median'))} | {ms(o.get('p95'))} | {o.get('queries', '—') if o else '—'}"
            )
            out.append(
                f"| {name} | {size} | {stock_cells} "
                f"| {ours_cells} "
                f"| {ratio(o.get('median'), s.get('median'))} | {o.get('n') or s.get('n')} "
                f"| {round((o.get('bytes') or s.get('bytes') or 0) / 1024)} |"
            )
    largest = max(sizes)
    out += ['', f"## Statement, per 1,000 documents (size {largest})", '']
    o = results.get(('ours', largest), {})
    s = results.get(('stock', largest), {})
    docs = o.get('meta', {}).get('documents') or 0
    st = o.get('pages', {}).get('/my/statement (all documents)', {})
    pdf = o.get('pages', {}).get('/my/statement PDF', {})
    inv = s.get('pages', {}).get('/my/invoices', {})
    if docs and st.get('median'):
        out.append(
            f"- {docs} documents of the customer: statement {ms(st['median'])} ms, i.e. "
            f"{ms(st['median'] / docs * 1000)} ms per 1,000 documents, against {ms(inv.get('median'))} ms for a "
            f"stock /my/invoices page; queries {st.get('queries')}."
        )
    if pdf:
        out.append(
            f"- PDF: {pdf.get('error') and 'error ' + pdf['error'] or ms(pdf.get('median')) + ' ms'} "
            f"(n={pdf.get('n')})."
        )
    out += ['', f"## Payment transaction (size {largest})", '', '| | stock | ours |', '|---|---:|---:|']
    for label in ('1 invoice', '200 invoices'):
        out.append(
            f"| {label} | {ms(s.get('tx', {}).get(label, {}).get('median'))} "
            f"| {ms(o.get('tx', {}).get(label, {}).get('median'))} |"
        )
    one, many = (
        o.get('tx', {}).get('1 invoice', {}).get('median'),
        o.get('tx', {}).get('200 invoices', {}).get('median'),
    )
    out.append(f"\n200 invoices / 1 invoice (ours): {ratio(many, one)}")
    out += [
        '',
        f"## Sign-in, time to /my (size {largest}, median ms)",
        '',
        '| | stock | ours | ratio |',
        '|---|---:|---:|---:|',
    ]
    for label in ('password', 'password + code'):
        a, b = s.get('signin', {}).get(label, {}).get('median'), o.get('signin', {}).get(label, {}).get('median')
        out.append(f"| {label} | {ms(a)} | {ms(b)} | {ratio(b, a)} |")
    out += [
        '',
        f"## {N_USERS} concurrent customers, {CONCURRENT_SECONDS} s (size {largest})",
        '',
        '| database and pages | req/s | p50 | p95 | p99 | errors |',
        '|---|---:|---:|---:|---:|---:|',
    ]
    for key, label in (
        (('stock', 'stock mix'), 'stock: home, invoices, an invoice'),
        (('ours', 'stock mix'), 'ours: home, invoices, an invoice'),
        (('ours', 'ours mix'), 'ours: home, invoices, statement this year'),
    ):
        c = results.get((key[0], largest), {}).get('crowd', {}).get(key[1])
        if c:
            out.append(
                f"| {label} | {c['rps']:.1f} | {ms(c['p50'])} | {ms(c['p95'])} | {ms(c['p99'])} | {c['errors']} |"
            )
    sc = s.get('crowd', {}).get('stock mix', {})
    oc = o.get('crowd', {}).get('stock mix', {})
    out.append(f"\np95 ours/stock on the same pages: {ratio(oc.get('p95'), sc.get('p95'))}")
    out += [
        '',
        '## Memory (peak RSS of the Odoo HTTP workers, MB)',
        '',
        '| size | stock one worker | stock all | ours one worker | ours all |',
        '|---:|---:|---:|---:|---:|',
    ]
    for size in sizes:
        s2, o2 = results.get(('stock', size), {}), results.get(('ours', size), {})
        out.append(
            f"| {size} | {s2.get('rss', 0) // 2**20} | {s2.get('rss_total', 0) // 2**20} "
            f"| {o2.get('rss', 0) // 2**20} | {o2.get('rss_total', 0) // 2**20} |"
        )
    spawns = {f"{k[0]} {k[1]}": v.get('gevent_spawns') for k, v in results.items()}
    out += ['', f"Websocket (gevent) processes seen per server: {spawns} (1 means no respawn loop).", '', '## Time', '']
    out += [f"- {label}: {seconds:.0f} s" for label, seconds in build_times.items()] or ['- templates reused']
    out.append(f"- whole run: {total / 60:.1f} min")
    return '\n'.join(out) + '\n'


# ---------------------------------------------------------------------------


def main():
    run_started = time.time()
    odoo_package = check_odoo()
    portalctl.ensure_python_requirements('requirements.txt', 'requirements-test.txt')
    portalctl.ensure_debian_packages(['initdb', 'wkhtmltopdf'])
    postgres = Postgres()
    postgres.start()
    sizes = sorted(SIZES)
    build_times = ensure_templates(odoo_package, postgres, sizes)
    results = {}
    loads = []  # the machine's load average when each server starts: other work skews the figures
    largest = sizes[-1]
    for size in sizes:
        for kind in ('stock', 'ours'):
            template = f'bench_{kind}_{size}'
            say(f"serving {template} with 2 workers (load average {os.getloadavg()[0]:.1f})")
            loads.append(os.getloadavg()[0])
            with Server(odoo_package, postgres, template) as server:
                meta = db_meta(postgres, server.dbname)
                entry = results[(kind, size)] = {'meta': meta}
                entry['pages'] = measure_pages(server, kind, meta)
                if size == largest:
                    entry['signin'] = measure_sign_in(server, kind)
                    # Home, invoices and an invoice on both; ours also with its statement in place of the invoice.
                    signed_in = crowd_sign_in(server)
                    entry['crowd'] = {
                        'stock mix': measure_crowd(
                            server, postgres, kind, ['/my', '/my/invoices', '/my/invoices/{invoice}'], signed_in
                        )
                    }
                    if kind == 'ours':
                        entry['crowd']['ours mix'] = measure_crowd(
                            server, postgres, kind, ['/my', '/my/invoices', '/my/statement?period=this_year'], signed_in
                        )
                    entry['tx'] = measure_transactions(server, postgres, kind, meta)
                entry['rss'], entry['rss_total'] = server.peak_worker_rss, server.peak_total_rss
                entry['gevent_spawns'] = len(server.gevent_spawns)
    report = render(results, build_times, time.time() - run_started, sizes)
    report += f"- load average (1 min) when each server started: {', '.join(f'{x:.1f}' for x in loads)}\n"
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"{time.strftime('%Y-%m-%d-%H%M', time.gmtime())}.md"
    path.write_text(report, encoding='utf-8')
    print(report)
    say(f"written to {path}")
    postgres.stop()
    return 0


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] in ('generate', 'configure'):
        {'generate': generate, 'configure': configure}[sys.argv[1]](sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(main())

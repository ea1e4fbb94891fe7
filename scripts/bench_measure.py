# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""What the benchmark measures on a served database: the portal pages, sign-in, the payment transaction,
concurrent customers."""

import datetime
import statistics
import threading
import time
from urllib.parse import urlsplit

from bench_client import (
    as_browser_behind_proxy,
    get_as_browser,
    get_page,
    jsonrpc,
    percentile,
    sign_in,
    time_requests,
    was_retried,
)
from bench_server import query_counts
from bench_settings import (
    CONCURRENT_SECONDS,
    MAIN_LOGIN,
    N_CROWD,
    N_REQUESTS,
    N_TOTP_USERS,
    N_USERS,
    PROXY_CONNECTIONS,
    SIGN_INS,
    TX_ROUNDS,
    say,
    totp_secret,
)


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


# The home with what its scripts ask for after it (bench_client.get_as_browser).
HOME_AS_BROWSER = "/my, then its counters and cards (at once)"


def pages(kind, meta):
    today = datetime.date.today()
    statement = f"/my/statement?period=custom&date_from={meta['first_date'].isoformat()}&date_to={today.isoformat()}"
    stock = [
        ('/my', '/my'),
        (HOME_AS_BROWSER, '/my'),
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


def measure_pages(servers, metas):
    """Every page on the databases of ``servers`` ({kind: Server}, served at once) in turn, request by request
    (bench_client.time_requests); a page of ours alone on ours. Returns {kind: {page: result}}."""
    sessions = {kind: sign_in(server.url, MAIN_LOGIN) for kind, server in servers.items()}
    urls = {kind: dict(pages(kind, metas[kind])) for kind in servers}
    results = {kind: {} for kind in servers}
    for name, _url in pages('ours', metas['ours']):
        kinds = [kind for kind in servers if name in urls[kind]]
        for kind in kinds:
            servers[kind].new_log_lines()
        as_browser = name == HOME_AS_BROWSER
        timed = time_requests(
            {kind: (sessions[kind], servers[kind].url + urls[kind][name]) for kind in kinds},
            N_REQUESTS,
            warmup=1 if 'PDF' in name else 3,
            get=get_as_browser if as_browser else get_page,
        )
        for kind in kinds:
            url, result = urls[kind][name], timed[kind]
            lines = servers[kind].new_log_lines()
            counts = query_counts(lines, url)
            if as_browser and counts:  # the queries of the page and of what it asked for, per load (mean)
                extra = sum(sum(query_counts(lines, path)) for path in ('/my/counters', '/my/account_summary'))
                counts = [round((sum(counts) + extra) / len(counts), 1)]
            result['queries'] = statistics.median(counts) if counts else None
            result['queries_max'] = max(counts) if counts else None
            results[kind][name] = result
            say(f"  {kind} {name}: {fmt_result(result)}")
    return results


def fmt_result(r):
    if r.get('error'):
        return f"error {r['error']}"
    return f"median {r['median'] * 1000:.0f} ms, p95 {r['p95'] * 1000:.0f} ms, n={r['n']}, queries {r['queries']}"


def measure_sign_in(servers):
    """Median time from opening the login form to /my on each database of ``servers`` ({kind: Server}):
    password only, then password + code. One sign-in at a time (a password check takes a core), the
    databases in turn, login by login: a change of the machine's load between the two would be in
    their ratio. Returns {kind: {label: result}}."""
    results = {kind: {} for kind in servers}
    plain = [f'bench.c{i:02d}@example.com' for i in range(N_CROWD)][-SIGN_INS - 2 :]
    totp = [f'bench.totp{i:02d}@example.com' for i in range(N_TOTP_USERS)][-SIGN_INS - 2 :]
    for label, logins, with_code in (('password', plain, False), ('password + code', totp, True)):
        times = {kind: [] for kind in servers}
        for i, login in enumerate(logins):
            # Each database first every other time: neither always follows the other.
            for kind in list(servers)[:: 1 if i % 2 else -1]:
                started = time.perf_counter()
                sign_in(servers[kind].url, login, totp_secret(login) if with_code else None)
                if i >= 2:  # the first ones are the warm-up
                    times[kind].append(time.perf_counter() - started)
        for kind, values in times.items():
            result = results[kind][label] = {
                'median': statistics.median(values),
                'p95': percentile(values, 95),
                'n': len(values),
            }
            say(f"  {kind} sign-in {label}: median {result['median'] * 1000:.0f} ms")
    return results


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
    # One invoice and 200 in turn (ours; stock pays one invoice at a time), the first round the warm-up:
    # a change of the machine's load during the rounds is in both.
    plan = [('1 invoice', 1), ('200 invoices', 200)] if kind == 'ours' else [('1 invoice', 1)]
    times = {label: [] for label, _count in plan}
    for i in range(TX_ROUNDS):
        for label, count in plan:
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
            if i >= 1:
                times[label].append(time.perf_counter() - started)
    result = {}
    for label, values in times.items():
        if values:
            result[label] = {'median': statistics.median(values), 'n': len(values)}
            say(f"  {kind} transaction {label}: median {result[label]['median'] * 1000:.0f} ms (n={len(values)})")
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


def measure_crowd(server, postgres, kind, mix, signed_in, queued=False):
    """N_USERS customers of different companies, signed in, browsing `mix` in turn for CONCURRENT_SECONDS.
    ``queued``: behind a proxy that queues what exceeds PROXY_CONNECTIONS connections to Odoo
    (as_browser_behind_proxy)."""
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
    latencies, failures, retried = [], [], []
    lock = threading.Lock()
    gate = threading.BoundedSemaphore(PROXY_CONNECTIONS) if queued else None
    start_at = time.time() + 1
    stop_at = start_at + CONCURRENT_SECONDS

    def browse(i):
        session = sessions[i]
        if session is None:
            return
        as_browser_behind_proxy(session, gate)
        k = i
        time.sleep(max(0.0, start_at - time.time()))
        while time.time() < stop_at:
            url = mix[k % len(mix)].format(invoice=invoices[i])
            k += 1
            started = time.perf_counter()
            try:
                # The home as a browser loads it: with its counters and, ours, its cards.
                get = get_as_browser if url == '/my' else get_page
                answer = get(session, server.url + url, 120)
                ok = answer.status_code == 200 and urlsplit(answer.url).path == urlsplit(url).path
                why = f"{answer.status_code} {url}"
                if was_retried(answer):
                    with lock:
                        retried.append(url)
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
        'retried': len(retried),
        'requests': len(latencies),
        'error_samples': (errors + failures)[:5],
    }
    say(
        f"  {kind} {N_USERS} customers{', queued' if queued else ''}: {result['rps']:.1f} req/s, "
        f"p95 {result['p95'] * 1000:.0f} ms, errors {result['errors']} {result['error_samples']}, "
        f"retried requests {result['retried']}"
    )
    return result

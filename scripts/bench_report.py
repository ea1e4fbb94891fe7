# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""The benchmark's report: the Markdown tables of stock against ours."""

import datetime
import os
import re
import time

from bench_measure import pages
from bench_settings import CONCURRENT_SECONDS, N_USERS, PROXY_CONNECTIONS
from portalctl import ROOT


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
        f"n requests after warm-up, both databases served at once and asked in turn, request by request; "
        f"queries = SQL queries per request (median, from the werkzeug log).",
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
    out += ['', '## Statement, per 1,000 documents', '']
    o = results.get(('ours', largest), {})
    s = results.get(('stock', largest), {})
    max_lines = statement_page_max_lines()
    for size in sizes:
        o2, s2 = results.get(('ours', size), {}), results.get(('stock', size), {})
        docs = o2.get('meta', {}).get('documents') or 0
        st = o2.get('pages', {}).get('/my/statement (all documents)', {})
        inv = s2.get('pages', {}).get('/my/invoices', {})
        if not docs or not st.get('median'):
            continue
        if max_lines and docs > max_lines:
            out.append(
                f"- size {size}, {docs} documents: more than the {max_lines} lines the page lists; it shows the "
                f"balances and aging and sends to a shorter period or the PDF in {ms(st['median'])} ms "
                f"(queries {st.get('queries')})."
            )
        elif docs < 500:  # the page's fixed cost would make a figure per 1,000 lines meaningless
            out.append(
                f"- size {size}, {docs} documents: statement {ms(st['median'])} ms; queries {st.get('queries')}."
            )
        else:
            out.append(
                f"- size {size}, {docs} documents: statement {ms(st['median'])} ms, i.e. "
                f"{ms(st['median'] / docs * 1000)} ms per 1,000 lines, against {ms(inv.get('median'))} ms for a "
                f"stock /my/invoices page of that size; queries {st.get('queries')}."
            )
    pdf = o.get('pages', {}).get('/my/statement PDF', {})
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
        'A connection refused or reset before any answer is retried with backoff, as browsers do for a GET',
        '(its time counts in the latency; "retried" counts those requests). "Queued": the same customers',
        f'behind a proxy that opens at most {PROXY_CONNECTIONS} connections to Odoo at once (what its listen backlog',
        "holds) and queues the other requests, as HAProxy's maxconn does: no request then waits for the kernel's",
        'SYN retry (1 s, 3 s), and the wait in the queue counts in the latency.',
        '',
        '| database and pages | req/s | p50 | p95 | p99 | errors | retried |',
        '|---|---:|---:|---:|---:|---:|---:|',
    ]
    for key, label in (
        (('stock', 'stock mix'), 'stock: home, invoices, an invoice'),
        (('ours', 'stock mix'), 'ours: home, invoices, an invoice'),
        (('stock', 'stock mix queued'), 'stock, queued: home, invoices, an invoice'),
        (('ours', 'stock mix queued'), 'ours, queued: home, invoices, an invoice'),
        (('ours', 'ours mix'), 'ours: home, invoices, statement this year'),
    ):
        c = results.get((key[0], largest), {}).get('crowd', {}).get(key[1])
        if c:
            out.append(
                f"| {label} | {c['rps']:.1f} | {ms(c['p50'])} | {ms(c['p95'])} | {ms(c['p99'])} | {c['errors']} "
                f"| {c.get('retried', '—')} |"
            )
    out.append('')
    for mix, label in (('stock mix', 'p95 ours/stock on the same pages'), ('stock mix queued', 'the same, queued')):
        sc, oc = s.get('crowd', {}).get(mix, {}), o.get('crowd', {}).get(mix, {})
        out.append(f"{label}: {ratio(oc.get('p95'), sc.get('p95'))} (p50 {ratio(oc.get('p50'), sc.get('p50'))})  ")
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


def statement_page_max_lines():
    """PORTAL_STATEMENT_PAGE_MAX_LINES of the addon (the most lines the statement page lists), read from
    its source: the benchmark runs outside Odoo."""
    match = re.search(
        r'^PORTAL_STATEMENT_PAGE_MAX_LINES = (\d+)', (ROOT / 'report' / 'report_portal_statement.py').read_text(), re.M
    )
    return int(match[1]) if match else None

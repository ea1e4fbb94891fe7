#!/usr/bin/env python3
"""Benchmark the customer portal against stock Odoo, in the same run (`make bench`).

Two databases are built by the same generator: "stock" (the Odoo modules the addon depends on, plus
payment_demo) and "ours" (the same database with customer_portal installed on top). For each size (the
number of posted invoices of one customer company), each is served by Odoo with `--workers=2` (prefork,
as in production) and measured over HTTP as a customer signed in through the login form:

* every portal page: median and p95 time over BENCH_REQUESTS requests after warm-up, and the SQL
  queries per request (read from Odoo's werkzeug log line). Both databases of a size are served at once
  and each page is asked of them in turn, request by request, so that the machine's drift (other work,
  the disk flushing a database copy) weighs on both alike;
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

# The code is beside this file: bench_settings (environment, constants), bench_server (Odoo processes,
# database copies, the served copy), bench_templates (template databases), bench_data (the generator, run
# in its own process as `bench.py generate|configure <db> <size>`), bench_client (HTTP), bench_measure
# (pages, sign-in, transactions, concurrent customers), bench_report (the Markdown report).
# A command-line tool, not addon code: it prints.
# pylint: disable=print-used
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import portalctl  # noqa: E402
from bench_data import configure, generate  # noqa: E402
from bench_measure import (  # noqa: E402
    crowd_sign_in,
    db_meta,
    measure_crowd,
    measure_pages,
    measure_sign_in,
    measure_transactions,
)
from bench_report import render  # noqa: E402
from bench_server import Server  # noqa: E402
from bench_settings import BENCH_DIR, SIZES, say  # noqa: E402
from bench_templates import ensure_templates  # noqa: E402
from portalctl import Postgres, check_odoo  # noqa: E402


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
        say(f"serving bench_stock_{size} and bench_ours_{size}, 2 workers each (load average {os.getloadavg()[0]:.1f})")
        loads.append(os.getloadavg()[0])
        with (
            Server(odoo_package, postgres, f'bench_stock_{size}') as stock,
            Server(odoo_package, postgres, f'bench_ours_{size}') as ours,
        ):
            servers = {'stock': stock, 'ours': ours}
            metas = {kind: db_meta(postgres, server.dbname) for kind, server in servers.items()}
            # The pages of both databases in turn, request by request: the same moment for both.
            measured = measure_pages(servers, metas)
            signins = measure_sign_in(servers) if size == largest else {}
            for kind, server in servers.items():
                entry = results[(kind, size)] = {'meta': metas[kind], 'pages': measured[kind]}
                if size == largest:
                    entry['signin'] = signins[kind]
                    # One database at a time: each alone on the machine's two cores.
                    # Home, invoices and an invoice on both; ours also with its statement in place of the invoice.
                    signed_in = crowd_sign_in(server)
                    stock_mix = ['/my', '/my/invoices', '/my/invoices/{invoice}']
                    entry['crowd'] = {
                        'stock mix': measure_crowd(server, postgres, kind, stock_mix, signed_in),
                        'stock mix queued': measure_crowd(server, postgres, kind, stock_mix, signed_in, queued=True),
                    }
                    if kind == 'ours':
                        entry['crowd']['ours mix'] = measure_crowd(
                            server, postgres, kind, ['/my', '/my/invoices', '/my/statement?period=this_year'], signed_in
                        )
                    entry['tx'] = measure_transactions(server, postgres, kind, metas[kind])
            for kind, server in servers.items():
                entry = results[(kind, size)]
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

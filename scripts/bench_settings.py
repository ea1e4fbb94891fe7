# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""The benchmark's settings (sizes, requests, concurrency from the environment), the credentials of the
generated customers and the progress messages (`make bench`, see bench.py)."""

# A command-line tool, not addon code: it prints.
# pylint: disable=print-used
import hashlib
import os
import time

from portalctl import DATA

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
TX_ROUNDS = 10  # payments of 1 and of 200 invoices in turn, the first round the warm-up
# Connections a queueing proxy keeps open to Odoo in the second concurrent run: Odoo's prefork listens with a
# backlog of 8 per worker (odoo/service/server.py), and the benchmark serves with 2 workers.
PROXY_CONNECTIONS = 16
PAGE_BUDGET = 90  # seconds: a page slower than that per BENCH_REQUESTS gets fewer requests (>= 5)


def say(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def totp_secret(login):
    import base64  # noqa: PLC0415

    return base64.b32encode(hashlib.sha1(login.encode()).digest()[:20]).decode()

#!/usr/bin/env python3
# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Run or test the customer_portal addon on Odoo 18.

    python3 scripts/portalctl.py run          # demo database, served on 127.0.0.1:8069
    python3 scripts/portalctl.py test         # throwaway database, every test, summary
    python3 scripts/portalctl.py stock-tests  # stock Odoo's tests of the modules we extend, addon installed
    python3 scripts/portalctl.py stop         # stop the embedded PostgreSQL left running

The interpreter running this script is used when it imports Odoo 18; otherwise `run`, `test` and
`stock-tests` build `.venv/` in the repository with Odoo 18 (ODOO_SOURCE) and continue there
(cp_env.py). They install what the package registries provide (the addon's Python requirements;
PostgreSQL, wkhtmltopdf and Chromium from Debian when run as root) and, unless PGHOST names an existing
server, run a PostgreSQL cluster of their own under .data/.

Environment:
    ODOO_SOURCE      where .venv gets Odoo 18 from: a source folder, a source archive (path or URL) or a
                     git URL (`URL#branch`); default: Odoo's public git repository, branch 18.0, shallow
    PGHOST, PGPORT, PGUSER, PGPASSWORD   use this PostgreSQL server instead of the embedded one
    CP_DATA_DIR      where the embedded cluster, the filestore and logs live (default: .data)
    CP_DB            name of the demo database of `run` (default: customer_portal_demo)
    CP_HTTP_INTERFACE  address `run` listens on (default: 127.0.0.1; 0.0.0.0 serves a VM or container)
    CP_HTTP_PORT     port of `run` (default: 8069; with workers, the websocket port is this + 3)
    CP_WORKERS       0 (default): threaded; N > 0: prefork with N HTTP workers, as production
    CP_KEEP_POSTGRES set to 1 to leave the embedded PostgreSQL running after a command
    ODOO_ADDONS_PATH extra addons directories, comma separated

The code lives beside this file: cp_base (paths, messages), cp_env (interpreter, .venv, requirements),
cp_postgres, cp_odoo (addons path, odoo_bin.py command line, installs, run), cp_tests, cp_stock,
cp_selftest (the scripts' own checks). The names below are imported from here by bench.py, wheel.py, pot.py.
"""

import argparse
import sys

from cp_base import DATA, MODULE, ROOT, die, free_port, say  # noqa: F401 - used by the other scripts
from cp_env import check_odoo, ensure_python_requirements  # noqa: F401
from cp_odoo import DEMO_MODULES, addon_view, addons_path, odoo_command, serve_command  # noqa: F401
from cp_postgres import Postgres
from cp_system import ensure_debian_packages  # noqa: F401


def cmd_run(args):
    from cp_odoo import cmd_run as run  # noqa: PLC0415

    return run(args)


def cmd_test(args):
    from cp_tests import cmd_test as test  # noqa: PLC0415

    return test(args)


def cmd_stock_tests(args):
    from cp_stock import cmd_stock_tests as stock_tests  # noqa: PLC0415

    return stock_tests(args)


def cmd_stop(args):
    """Stop the embedded PostgreSQL (pg_ctl only: needs neither Odoo nor psycopg2)."""
    Postgres().stop_cluster()
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser('run', help="serve a demo database (CP_HTTP_INTERFACE, CP_HTTP_PORT, CP_WORKERS)")
    test = sub.add_parser('test', help="run every test on a throwaway database")
    test.add_argument(
        '--tags',
        default='',
        help="restrict to these test classes or methods (Odoo test-tags syntax after the module, e.g. "
        "TestPortalSettings; TestPreforkWebsocket is a check of the scripts, run without a database)",
    )
    sub.add_parser(
        'stock-tests',
        help="stock Odoo's post-install tests of the modules the addon extends, "
        "on a throwaway database with the addon and demo data",
    )
    sub.add_parser('stop', help="stop the embedded PostgreSQL left running")
    args = parser.parse_args()
    commands = {'run': cmd_run, 'test': cmd_test, 'stock-tests': cmd_stock_tests, 'stop': cmd_stop}
    try:
        sys.exit(commands[args.command](args))
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == '__main__':
    main()

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""The template databases of the benchmark (bench_stock_<size>, bench_ours_<size>), built when missing or
stale (generator, Odoo or the addon's data files changed) and kept for the next run."""

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import portalctl
from bench_server import copy_database, drop_database, run_odoo
from bench_settings import BENCH_DIR, GENERATOR_VERSION, STOCK_MODULES, say
from portalctl import MODULE, ROOT

# The generator runs in its own process, as `bench.py generate|configure <db> <size>`.
BENCH_SCRIPT = Path(__file__).resolve().with_name('bench.py')


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
    cmd = [sys.executable, str(BENCH_SCRIPT), step, dbname, str(size)]
    if subprocess.call(cmd) != 0:
        portalctl.die(f"the generator failed ({step} {dbname})")

#!/usr/bin/env python3
# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Build the addon's wheel and show that Odoo finds and installs the module from it (`make wheel`).

1. `pip wheel --no-deps .` (whool, see pyproject.toml) into .data/wheel/dist;
2. a fresh virtual environment .data/wheel/venv that sees this Python's packages (Odoo 18 among them)
   and gets the wheel installed with --no-deps;
3. in it, Odoo's own get_module_path('customer_portal') must answer the wheel's
   odoo/addons/customer_portal, with an addons path that does not hold this checkout;
4. unless --no-install: Odoo installs the module from there in a throwaway database (dropped after).

Exits non-zero, naming the step, when one fails.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import portalctl  # noqa: E402  (same folder: reuses its PostgreSQL and Odoo helpers)
from cp_base import step  # noqa: E402
from cp_system import VENV_HINT, make_venv  # noqa: E402
from portalctl import DATA, MODULE, ROOT  # noqa: E402


def say(message):
    print(f"[wheel] {message}", flush=True)


def die(message, code=2):
    print(f"[wheel] error: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


WHEEL_DIR = DATA / 'wheel'

FIND_MODULE = """
import sys
import odoo
from odoo.modules.module import get_module_path
from odoo.tools import config
config.parse_config(['--addons-path', sys.argv[1]])
odoo.modules.module.initialize_sys_path()
print(get_module_path('customer_portal', display_warning=False) or '')
"""


def run(step, cmd, **kwargs):
    started = time.monotonic()
    say(f"{step}: {' '.join(str(c) for c in cmd)}")
    result = subprocess.run(cmd, check=False, **kwargs)
    if result.returncode != 0:
        die(f"{step} failed (exit code {result.returncode}); see the messages above.")
    say(f"{step}: done in {time.monotonic() - started:.0f} s")
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        '--no-install', action='store_true', help="stop after checking that Odoo finds the module (no database)"
    )
    args = parser.parse_args()

    odoo_package = portalctl.check_odoo()
    dist, venv = WHEEL_DIR / 'dist', WHEEL_DIR / 'venv'
    shutil.rmtree(WHEEL_DIR, ignore_errors=True)
    dist.mkdir(parents=True)

    run(
        "building the wheel",
        [sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--quiet', '--wheel-dir', str(dist), str(ROOT)],
    )
    wheels = sorted(dist.glob('odoo_addon_customer_portal-*.whl'))
    if len(wheels) != 1:
        die(
            f"expected one odoo_addon_customer_portal wheel in {dist}, found: "
            f"{', '.join(p.name for p in dist.iterdir()) or 'nothing'}"
        )
    wheel = wheels[0]
    say(f"built {wheel.name} ({wheel.stat().st_size // 1024} KiB)")

    with step("creating a virtual environment that sees Odoo", VENV_HINT):
        python = make_venv(venv, system_site_packages=True)
    run("installing the wheel", [str(python), '-m', 'pip', 'install', '--no-deps', '--quiet', str(wheel)])

    # Odoo's addons only: the module must come from the wheel, not from this checkout.
    odoo_addons = ','.join(str(p) for p in (odoo_package.parent / 'addons', odoo_package / 'addons') if p.is_dir())
    found = run(
        "asking Odoo where the module is",
        [str(python), '-c', FIND_MODULE, odoo_addons],
        capture_output=True,
        text=True,
        cwd='/',
    ).stdout.strip()
    site_packages = subprocess.run(
        [str(python), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    expected = Path(site_packages) / 'odoo' / 'addons' / MODULE
    if not found or Path(found).resolve() != expected.resolve():
        die(f"Odoo finds customer_portal at {found or 'nowhere'}, not in the wheel's {expected}.")
    say(f"Odoo finds {MODULE} in the installed wheel: {found}")
    if args.no_install:
        return 0

    postgres = portalctl.Postgres()
    postgres.start()
    dbname = f'{MODULE}_wheel_{os.getpid()}'
    try:
        run(
            f"installing {MODULE} from the wheel in the throwaway database {dbname}",
            [
                str(python),
                '-m',
                'odoo',
                '--addons-path',
                odoo_addons,
                '--data-dir',
                str(WHEEL_DIR / 'odoo'),
                *postgres.odoo_args,
                '-d',
                dbname,
                '-i',
                MODULE,
                '--without-demo',
                'all',
                '--stop-after-init',
                '--log-level',
                'warn',
            ],
            cwd='/',
        )
        state = postgres.query(dbname, "SELECT state FROM ir_module_module WHERE name = %s", (MODULE,))
        if state != 'installed':
            die(f"after the install, {MODULE} is '{state}' in {dbname}, not 'installed'.")
        say(f"{MODULE} installed from the wheel in {dbname}")
    finally:
        postgres.drop_database(dbname)
        postgres.stop()
    print("wheel: built, installed with --no-deps, found and installed by Odoo", flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Starting Odoo: the addons path, the command line, installs that print their phases, `run`."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from cp_base import DATA, MODULE, ROOT, die, elapsed, read_new_lines, say

ODOO_BIN = ROOT / 'scripts' / 'odoo_bin.py'
# Installed beside the addon so that the demo shows online payments (payment_demo) and bank
# transfers announced from the portal (payment_custom's Wire Transfer).
DEMO_MODULES = [MODULE, 'payment_demo', 'payment_custom']
# The optional bridges (bridges/, each an addon of its own, on the addons path after the addon): the apps
# they connect the portal to, installed in the demo and test databases so that the bridges install
# themselves (auto_install), and the bridges whose tests `make test` runs.
BRIDGES = ROOT / 'bridges'


def _bridge_manifests(wanted):
    """{bridge: manifest} of the bridges in bridges/ that `wanted` names (None: all of them)."""
    import ast  # noqa: PLC0415

    return {
        path.parent.name: ast.literal_eval(path.read_text(encoding='utf-8'))
        for path in sorted(BRIDGES.glob('*/__manifest__.py'))
        if wanted is None or path.parent.name.removeprefix(f'{MODULE}_') in wanted
    }


# Each bridge's `depends` besides the addon and the other bridges: the apps it connects the portal to.
# CP_BRIDGES (a developer's focused runs): only these bridges, by name with or without `customer_portal_`
# ('' for none); unset, all of them (CI, the demo).
_BRIDGE_MANIFESTS = _bridge_manifests(
    None
    if os.environ.get('CP_BRIDGES') is None
    else {name.strip().removeprefix(f'{MODULE}_') for name in os.environ['CP_BRIDGES'].split(',')}
)
BRIDGE_MODULES = list(_BRIDGE_MANIFESTS)
BRIDGE_APPS = sorted(
    {app for manifest in _BRIDGE_MANIFESTS.values() for app in manifest.get('depends', [])} - {MODULE, *BRIDGE_MODULES}
)
# Top-level entries of the repository that are not part of the addon (dot-entries are never linked).
NOT_ADDON = {'__pycache__', 'build', 'dist', 'node_modules', BRIDGES.name}
LOG_LINE = re.compile(
    r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>\S+): (?P<msg>.*)'
)


# ---------------------------------------------------------------------------
# The addons path
# ---------------------------------------------------------------------------


def addon_view(parent=None):
    """`parent/customer_portal` (default DATA/addons): a folder of links to the repository's own top-level
    entries, without `.data/`, `.venv/` and other dot-folders. Odoo loads the addon from there under its
    technical name whatever the checkout folder is called. It used to be one link to the repository root,
    which holds `.data/` and so that link itself: Odoo's `--i18n-export` walks every addons path with
    os.walk(followlinks=True) and never finished. New top-level entries are linked on each call."""
    parent = Path(parent or DATA / 'addons')
    parent.mkdir(parents=True, exist_ok=True)
    view = parent / MODULE
    if view.is_symlink():  # the old layout: swap in a view, built aside, with two renames
        staging, old = parent.parent / f'.{MODULE}-view.new', parent.parent / f'.{MODULE}-link.old'
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        _sync_view(staging)
        old.unlink(missing_ok=True)
        view.rename(old)
        staging.rename(view)
        old.unlink()
    view.mkdir(exist_ok=True)
    _sync_view(view)
    return view


def _sync_view(view):
    wanted = {
        entry.name: entry
        for entry in ROOT.iterdir()
        if not entry.name.startswith('.') and entry.name not in NOT_ADDON and entry.resolve() != DATA
    }
    for link in view.iterdir():
        if not link.is_symlink() or link.name not in wanted or Path(os.readlink(link)) != wanted[link.name]:
            if link.is_symlink() or link.is_file():
                link.unlink(missing_ok=True)
    for name, entry in wanted.items():
        if not (view / name).is_symlink():
            try:
                (view / name).symlink_to(entry, target_is_directory=entry.is_dir())
            except FileExistsError:  # another command, started at the same time, made it
                pass


def addons_path(odoo_package):
    """Extra addons (ODOO_ADDONS_PATH), Odoo's addons, the folder holding the addon's view, the bridges."""
    view = addon_view()
    paths = [str(p) for p in (odoo_package.parent / 'addons', odoo_package / 'addons') if p.is_dir()]
    extra = [p for p in os.environ.get('ODOO_ADDONS_PATH', '').split(',') if p]
    return ','.join(extra + paths + [str(view.parent)] + ([str(BRIDGES)] if BRIDGES.is_dir() else []))


def odoo_command(odoo_package, postgres, *args):
    """Odoo as odoo-bin starts it (scripts/odoo_bin.py), so that prefork's websocket process works too."""
    return [
        sys.executable,
        str(ODOO_BIN),
        '--addons-path',
        addons_path(odoo_package),
        '--data-dir',
        str(DATA / 'odoo'),
        *postgres.odoo_args,
        *args,
    ]


def serve_command(odoo_package, postgres, dbname, interface, port, workers=0, gevent_port=None):
    """What `make run` serves: threaded (workers=0) or prefork with `workers` HTTP workers."""
    args = ['--http-interface', interface, '--http-port', str(port)]
    if dbname:
        args = ['-d', dbname, '--db-filter', f'^{dbname}$', *args]
    if workers:
        args += ['--workers', str(workers), '--gevent-port', str(gevent_port or port + 3)]
    return odoo_command(odoo_package, postgres, *args)


# ---------------------------------------------------------------------------
# Installs that print their phases
# ---------------------------------------------------------------------------


def install(odoo_package, postgres, dbname, step_args, what):
    """Run `-i`/`-u` with --stop-after-init, printing each module as Odoo loads it, and its warnings."""
    log_path = DATA / 'logs' / f'{dbname}-install.log'
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.unlink(missing_ok=True)
    cmd = odoo_command(
        odoo_package, postgres, '-d', dbname, *step_args, '--stop-after-init', '--no-http',
        '--max-cron-threads', '0', '--log-level', 'info', '--logfile', str(log_path),
    )  # fmt: skip
    say(f"{what}; full log: {log_path}")
    started = time.monotonic()
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    position = 0
    while True:
        finished = process.poll() is not None
        lines, position = read_new_lines(log_path, position)
        for line in lines:
            phase = install_phase(line)
            if phase:
                print(f"    [{elapsed(started):>10}] {phase}", flush=True)
        if finished:
            break
        time.sleep(0.5)
    if process.returncode != 0:
        die(f"Odoo could not install the addon (exit code {process.returncode}); see {log_path}")
    say(f"{what}: done in {elapsed(started)}")


def install_phase(line):
    match = LOG_LINE.match(line)
    if not match:
        return None
    msg, level = match['msg'], match['level']
    if level in ('WARNING', 'ERROR', 'CRITICAL'):
        return f"{level}: {msg[:300]}"
    if msg == 'init db':
        return "creating the database (base tables)"
    if loading := re.match(r'^Loading module (\S+) \((\d+)/(\d+)\)', msg):
        return f"module {loading[2]}/{loading[3]}: {loading[1]}"
    if demo := re.match(r'^Module (\S+): loading demo', msg):
        return f"    demo data of {demo[1]}"
    if msg.startswith(('updating modules list', 'Modules loaded.')):
        return msg
    return None


# ---------------------------------------------------------------------------
# make run
# ---------------------------------------------------------------------------


def cmd_run(args):
    from cp_env import prepare  # noqa: PLC0415 - may switch to .venv first

    odoo_package, postgres = prepare('run')
    try:
        return serve_demo(odoo_package, postgres)
    except KeyboardInterrupt:
        return 0
    finally:
        if postgres.started_here:
            say("stopping the embedded PostgreSQL this command started")
        postgres.stop()


def serve_demo(odoo_package, postgres):
    dbname = os.environ.get('CP_DB', 'customer_portal_demo')
    interface = os.environ.get('CP_HTTP_INTERFACE', '127.0.0.1')
    port = int(os.environ.get('CP_HTTP_PORT', '8069'))
    workers = int(os.environ.get('CP_WORKERS', '0') or 0)
    if postgres.database_exists(dbname) and postgres.module_installed(dbname, MODULE):
        install(
            odoo_package, postgres, dbname, ['-u', MODULE, '-i', ','.join(BRIDGE_APPS)],
            f"updating the addon in the existing database {dbname}",
        )  # fmt: skip
    else:
        if postgres.database_exists(dbname):
            postgres.drop_database(dbname)  # a half-made database from an interrupted run
        install(
            odoo_package, postgres, dbname, ['-i', ','.join(DEMO_MODULES + BRIDGE_APPS)],
            f"creating the demo database {dbname} (a few minutes)",
        )  # fmt: skip
    slug = postgres.query(dbname, "SELECT portal_slug FROM res_company ORDER BY id LIMIT 1")
    host = '127.0.0.1' if interface in ('0.0.0.0', '::', '') else interface
    base = f"http://{host}:{port}"
    # The address the demo is served on, from the first request on: links, the portal URL in
    # Settings, and the invoice PDFs the server's background job makes (wkhtmltopdf loads their
    # styles from it).
    postgres.query(dbname, "UPDATE ir_config_parameter SET value = %s WHERE key = 'web.base.url'", (base,))
    mode = f"prefork, {workers} workers" if workers else "threaded"
    print(
        f"""
Customer Portal demo on Odoo 18 ({mode}, listening on {interface}:{port})
  Back office : {base}/odoo          login: admin       password: admin
  Portal URL  : {base}/portal/{slug}
  Customer    : login: emma.wilson@northwind.example   password: portal-demo (more in README.md)
Press Ctrl+C to stop.
""",
        flush=True,
    )
    process = subprocess.Popen(serve_command(odoo_package, postgres, dbname, interface, port, workers))
    try:
        return process.wait()
    except KeyboardInterrupt:
        say("stopping Odoo")
        stop_process(process)
        return 0


def stop_process(process, grace=3):
    """Odoo got Ctrl+C's SIGINT from the terminal too; if it is still there after `grace` s, end it."""
    try:
        process.wait(grace)
        return
    except subprocess.TimeoutExpired:
        pass
    for sig, wait in ((signal.SIGINT, 15), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            process.send_signal(sig)
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Odoo processes of the benchmark: one-off runs, database copies, and the served copy of a template
(`Server`: --workers=2, the workers' memory, the SQL queries of each request from the werkzeug log)."""

# A command-line tool, not addon code: a server that does not answer yet, or a process gone, is no error.
# pylint: disable=except-pass
import os
import re
import shutil
import signal
import subprocess
import threading
import time

import portalctl
from bench_settings import BENCH_DIR
from portalctl import DATA, free_port, odoo_command


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

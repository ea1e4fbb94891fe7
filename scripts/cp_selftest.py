# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Checks of the scripts themselves, run by `make test` and counted in its summary (no database needed).

python3 scripts/portalctl.py test --tags TestPreforkWebsocket   # only these
"""

import os
import signal
import subprocess
import sys
import time
import unittest
import urllib.request

from cp_base import DATA, free_port, say
from cp_odoo import serve_command

STAY_UP = 5  # seconds the websocket process must keep its PID


class TestPreforkWebsocket(unittest.TestCase):
    """`make run` with CP_WORKERS=2 serves with prefork, and its websocket (gevent) process starts once and
    stays up: started as `python3 -m odoo`, Odoo respawned it about ten times a second."""

    odoo_package = postgres = None  # set by run_selftests

    def test_websocket_process_stays_up(self):
        import psutil  # noqa: PLC0415 - an Odoo requirement

        port, gevent_port = free_port(), free_port()
        log = DATA / 'logs' / f'selftest_prefork_{os.getpid()}.log'
        log.parent.mkdir(parents=True, exist_ok=True)
        cmd = serve_command(self.odoo_package, self.postgres, None, '127.0.0.1', port, 2, gevent_port)
        cmd += ['--max-cron-threads', '0', '--logfile', str(log)]
        process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        self.addCleanup(stop_group, process)
        self.assertEqual(self.get(port, '/web/health', process, log), 200)
        master = psutil.Process(process.pid)
        seen, http_workers, deadline = set(), set(), time.monotonic() + STAY_UP
        while time.monotonic() < deadline:
            for child in master.children():
                try:
                    (seen if 'gevent' in child.cmdline() else http_workers).add(child.pid)
                except psutil.NoSuchProcess:
                    continue
            time.sleep(0.2)
        self.assertEqual(len(http_workers), 2, f"2 HTTP workers, not {sorted(http_workers)}; see {log}")
        self.assertEqual(len(seen), 1, f"one websocket process over {STAY_UP} s, not {sorted(seen)}; see {log}")
        (pid,) = seen
        self.assertTrue(psutil.pid_exists(pid), f"the websocket process {pid} is gone; see {log}")
        # The websocket process serves: its port answers.
        self.assertEqual(self.get(gevent_port, '/web/health', process, log), 200)
        say(f"prefork: 2 HTTP workers, websocket process {pid} up for {STAY_UP} s and answering on {gevent_port}")

    def get(self, port, path, process, log, timeout=90):
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f'http://127.0.0.1:{port}{path}', timeout=10) as response:
                    return response.status
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    self.fail(f"Odoo did not answer on port {port} (exit code {process.poll()}); see {log}")
                time.sleep(0.5)


def stop_group(process):
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


SELFTESTS = [TestPreforkWebsocket]


def selftest_names():
    return {case.__name__ for case in SELFTESTS}


def run_selftests(odoo_package, postgres, tags=()):
    """Run the checks `tags` name (all if none); returns the passed and failed test ids."""
    suite = unittest.TestSuite()
    for case in SELFTESTS:
        case.odoo_package, case.postgres = odoo_package, postgres
        for test in unittest.defaultTestLoader.loadTestsFromTestCase(case):
            wanted = not tags or any(test.id().split('.', 1)[1].startswith(tag) for tag in tags)
            if wanted:
                suite.addTest(test)
    ids = [test.id() for test in suite]
    say(f"scripts' own checks: {len(ids)}")
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    failed = [test.id() for test, _trace in result.failures + result.errors]
    passed = [test_id for test_id in ids if test_id not in failed]
    return passed, failed

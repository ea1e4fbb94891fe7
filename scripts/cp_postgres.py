# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""The PostgreSQL server Odoo talks to: an existing one (PGHOST) or an embedded cluster under the data dir."""

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from cp_base import DATA, MODULE, PG_USER, die, say
from cp_system import find_pg_command


class Postgres:
    """The server Odoo talks to: an existing one (PGHOST) or an embedded cluster under DATA."""

    def __init__(self):
        self.external = bool(os.environ.get('PGHOST'))
        home = self._home()
        self.pgdata = home / 'postgres'
        self.socket_dir = home / 'run'
        self.started_here = False

    def _home(self):
        """DATA, unless root runs us from a folder the postgres user cannot reach (e.g. under /root)."""
        DATA.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0 or self._pg_call(['test', '-x', str(DATA)]) == 0:
            return DATA
        digest = hashlib.sha1(str(DATA).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f'customer_portal-{digest}'

    @property
    def odoo_args(self):
        if self.external:
            return []  # libpq reads PGHOST, PGPORT, PGUSER and PGPASSWORD itself
        return ['--db_host', str(self.socket_dir), '--db_port', '5432', '--db_user', PG_USER]

    def connect(self, dbname='postgres'):
        import psycopg2  # noqa: PLC0415

        kwargs = {} if self.external else {'host': str(self.socket_dir), 'port': 5432, 'user': PG_USER}
        connection = psycopg2.connect(dbname=dbname, **kwargs)
        connection.autocommit = True
        return connection

    def _pg_call(self, cmd):
        """Run a PostgreSQL server command; as root, as the postgres user (PostgreSQL refuses root)."""
        if os.geteuid() == 0:
            cmd = ['runuser', '-u', 'postgres', '--', *cmd]
        return subprocess.call(cmd, stdout=subprocess.DEVNULL, cwd='/')

    def start(self):
        if self.external:
            say(f"using the PostgreSQL server at {os.environ['PGHOST']}")
            return
        initdb, pg_ctl = find_pg_command('initdb'), find_pg_command('pg_ctl')
        for folder in (self.pgdata, self.socket_dir):
            folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.pgdata, 'postgres', 'postgres')
            shutil.chown(self.socket_dir, 'postgres', 'postgres')
            os.chmod(self.pgdata, 0o700)
        if not (self.pgdata / 'PG_VERSION').exists():
            say(f"creating a PostgreSQL cluster in {self.pgdata}")
            cmd = [initdb, '-D', str(self.pgdata), '-U', PG_USER, '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8']
            if self._pg_call(cmd) != 0:
                die(
                    f"initdb failed for {self.pgdata} (if run as root, the postgres user must be able "
                    f"to reach this folder; set CP_DATA_DIR elsewhere)."
                )
        if self._pg_call([pg_ctl, 'status', '-D', str(self.pgdata)]) == 0:
            return
        say("starting PostgreSQL")
        logfile = self.socket_dir / 'postgres.log'
        options = f"-k {self.socket_dir} -c listen_addresses='' -c fsync=off -c max_connections=200"
        cmd = [pg_ctl, 'start', '-w', '-t', '60', '-D', str(self.pgdata), '-l', str(logfile), '-o', options]
        if self._pg_call(cmd) != 0:
            die(f"PostgreSQL did not start; see {logfile}.")
        self.started_here = True

    def stop(self):
        """Stop the embedded cluster if this command started it, unless a test run still uses it."""
        if not self.started_here or os.environ.get('CP_KEEP_POSTGRES'):
            return
        try:  # several test runs may share the cluster: the last one out stops it
            others = self.query(
                'postgres', "SELECT count(*) FROM pg_database WHERE datname LIKE %s", (f'{MODULE}_test_%',)
            )
        except Exception:  # noqa: BLE001 - already stopped
            return
        if not others:
            self.stop_cluster()

    def is_running(self):
        return self._pg_call([find_pg_command('pg_ctl'), 'status', '-D', str(self.pgdata)]) == 0

    def stop_cluster(self):
        """`make stop`: stop the embedded cluster (left running by CP_KEEP_POSTGRES=1 or a killed command)."""
        if self.external or not (self.pgdata / 'PG_VERSION').exists() or not self.is_running():
            say("no embedded PostgreSQL is running" + (f" (PGHOST={os.environ['PGHOST']})" if self.external else ''))
            return False
        say(f"stopping the embedded PostgreSQL ({self.pgdata})")
        self._pg_call([find_pg_command('pg_ctl'), 'stop', '-m', 'fast', '-D', str(self.pgdata)])
        return True

    def database_exists(self, dbname):
        return bool(self.query('postgres', "SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)))

    def query(self, dbname, sql, params=()):
        """The first column of the first row, or None."""
        connection = self.connect(dbname)
        try:
            with connection.cursor() as cr:
                cr.execute(sql, params)
                row = cr.fetchone() if cr.description else None
                return row and row[0]
        finally:
            connection.close()

    def module_installed(self, dbname, module):
        try:
            return self.query(dbname, "SELECT state FROM ir_module_module WHERE name = %s", (module,)) == 'installed'
        except Exception:  # noqa: BLE001 - a broken or half-made database is simply not ready
            return False

    def drop_database(self, dbname):
        self.query('postgres', "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (dbname,))
        self.query('postgres', f'DROP DATABASE IF EXISTS "{dbname}"')

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""The Python that runs Odoo, and what it needs around it.

The interpreter `make` was given (PYTHON, default python3) is used as it is when it imports Odoo 18
(its missing addon requirements pip-installed as before, unless it is externally managed). Otherwise
the commands build `.venv/` in the repository (ignored by git; cp_venv) and continue there. Nothing is
ever pip-installed into an externally managed Python (PEP 668, Debian 12 / Ubuntu 24.04).
"""

import importlib.util
import os
import sys
from pathlib import Path

from cp_base import ROOT, die, say, step
from cp_system import ensure_debian_packages, externally_managed, pip_install
from cp_venv import PIP_HINT, VENV, VENV_PYTHON, build_venv, odoo_source, read_stamp, requirements_digest

REQUIREMENT_MODULES = {'requirements.txt': ['pyotp', 'qrcode'], 'requirements-test.txt': ['websocket']}
# Debian packages Odoo's requirements need to build (python-ldap, psycopg2) where pip finds no wheel.


def odoo_major_version():
    try:
        import odoo.release  # noqa: PLC0415
    except ImportError:
        return None
    return odoo.release.version_info[0]


def missing_modules(files):
    return [name for file in files for name in REQUIREMENT_MODULES.get(file, []) if not importlib.util.find_spec(name)]


def ensure_interpreter(files):
    """Continue in .venv (made or completed here) unless this interpreter runs Odoo 18 with our requirements."""
    version = odoo_major_version()
    if version == 18 and (not missing_modules(files) or not externally_managed()):
        return  # as before: ensure_python_requirements installs what is missing into this Python
    if os.environ.get('CP_IN_VENV'):
        die(f"{sys.executable} still cannot import Odoo 18 and {', '.join(files)}; remove {VENV} and run again.")
    if version == 18:
        say(
            f"{sys.executable} imports Odoo 18 but lacks {', '.join(missing_modules(files))}, and pip must not install "
            f"into this externally managed Python: using {VENV}, which sees this Python's packages"
        )
        wanted = {'odoo': 'system', 'python': sys.executable, 'requirements': requirements_digest(REQUIREMENT_MODULES)}
    else:
        found = f"Odoo {version}" if version else "no Odoo"
        say(f"{sys.executable} imports {found}: using Odoo 18 in {VENV} (made once, reused after)")
        made_from = (read_stamp() or {}).get('odoo', 'system')
        # Without ODOO_SOURCE, a .venv made from another source earlier is kept as it is.
        wanted = {
            'odoo': odoo_source() if os.environ.get('ODOO_SOURCE') or made_from == 'system' else made_from,
            'python': sys.executable,
            'requirements': requirements_digest(REQUIREMENT_MODULES),
        }
    if not (VENV_PYTHON.exists() and read_stamp() == wanted):
        build_venv(wanted, list(REQUIREMENT_MODULES))  # all of them: `run` then `test` reuse one .venv
    say(f"continuing with {VENV_PYTHON}")
    env = dict(os.environ, CP_IN_VENV='1')
    os.execve(str(VENV_PYTHON), [str(VENV_PYTHON), str(ROOT / 'scripts' / 'portalctl.py'), *sys.argv[1:]], env)


def ensure_python_requirements(*files):
    missing = missing_modules(files)
    if not missing:
        return
    if externally_managed():
        die(f"{', '.join(missing)} missing, and pip must not install into {sys.executable} (externally managed).")
    with step(f"installing Python requirements into {sys.executable} ({', '.join(missing)} missing)", PIP_HINT):
        pip_install(sys.executable, [arg for file in files for arg in ('-r', str(ROOT / file))], os.devnull)


def ensure_bridge_apps():
    """The apps of the bridges (bridges/requirements.txt: OCA's contract), pip-installed with --no-deps: their
    wheels require the `odoo` package, which pip must not fetch over the Odoo in use."""
    if importlib.util.find_spec('odoo.addons.contract'):
        return
    if externally_managed():
        die(f"OCA's contract is missing, and pip must not install into {sys.executable} (externally managed).")
    with step(f"installing the bridges' apps into {sys.executable} (bridges/requirements.txt, --no-deps)", PIP_HINT):
        pip_install(sys.executable, ['--no-deps', '-r', str(ROOT / 'bridges' / 'requirements.txt')], os.devnull)


def check_odoo():
    version = odoo_major_version()
    if version is None:
        die(
            f"{sys.executable} cannot import Odoo. `make run` / `make test` build {VENV} with Odoo 18 "
            f"(ODOO_SOURCE); other commands then run with PYTHON={VENV_PYTHON}. See README.md."
        )
    if version != 18:
        die(f"Odoo 18 is required, {sys.executable} imports Odoo {version}.")
    import odoo  # noqa: PLC0415

    return Path(odoo.__file__).resolve().parent


def prepare(command):
    """What `run`, `test` and `stock-tests` need before Odoo starts, in one place: the interpreter (this one or
    .venv), Odoo 18, the addon's requirements, the Debian tools, PostgreSQL. Returns (odoo_package, postgres)."""
    from cp_postgres import Postgres  # noqa: PLC0415

    files = ['requirements.txt'] + ([] if command == 'run' else ['requirements-test.txt'])
    ensure_interpreter(files)
    odoo_package = check_odoo()
    ensure_python_requirements(*files)
    ensure_bridge_apps()
    ensure_debian_packages(['initdb', 'wkhtmltopdf'] + ([] if command == 'run' else ['chromium']))
    postgres = Postgres()
    postgres.start()
    return odoo_package, postgres

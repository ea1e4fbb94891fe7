# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""`.venv/`: Odoo 18 and its requirements for an interpreter that cannot import Odoo 18 (see cp_env).

Odoo comes from ODOO_SOURCE: a local Odoo 18 source folder (used in place), a source archive (path or
URL) or a git URL (`URL#branch`); default: the 18.0 branch of Odoo's public git repository, shallow.
Each step prints its name and how long it took; a failed step says what to do.
"""

import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from cp_base import ROOT, StepFailed, elapsed, say, step
from cp_system import VENV_HINT, apt_install, debian_missing, ensure_debian_packages, make_venv, pip_install

VENV = ROOT / '.venv'


VENV_PYTHON = VENV / 'bin' / 'python'


VENV_STAMP = VENV / 'customer_portal.json'


VENV_LOG = VENV / 'install.log'


ODOO_GIT = 'https://github.com/odoo/odoo.git'


ODOO_BRANCH = '18.0'
# What each requirements file of ours provides, by the module it makes importable.


BUILD_PACKAGES = ['libldap2-dev', 'libsasl2-dev', 'libpq-dev']


def requirements_digest(files):
    import hashlib  # noqa: PLC0415

    return hashlib.sha1(b''.join((ROOT / file).read_bytes() for file in files)).hexdigest()


def read_stamp():
    try:
        return json.loads(VENV_STAMP.read_text(encoding='utf-8'))
    except (OSError, ValueError):
        return None


def build_venv(wanted, files):
    started = time.monotonic()
    system = wanted['odoo'] == 'system'
    with step(f"1. creating the virtual environment {VENV}", VENV_HINT):
        make_venv(VENV, system_site_packages=system)
    env = dict(os.environ, PIP_CONSTRAINT=str(constraints_file()))
    if not system:
        with step(f"2. getting Odoo {ODOO_BRANCH} from {wanted['odoo']}", SOURCE_HINT):
            source = fetch_odoo(wanted['odoo'])
        with step("3. Debian packages Odoo's requirements build with", BUILD_HINT):
            ensure_build_packages()
        with step(f"4. installing Odoo's Python requirements ({source / 'requirements.txt'})", PIP_HINT):
            pip_install(VENV_PYTHON, ['-r', str(source / 'requirements.txt')], VENV_LOG, env)
        with step(f"5. installing Odoo {ODOO_BRANCH} into {VENV} (linked to {source}, as pip install -e does)"):
            purelib = subprocess.check_output(
                [str(VENV_PYTHON), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], text=True
            ).strip()
            Path(purelib, 'odoo18.pth').write_text(f"{source}\n", encoding='utf-8')
    with step("6. installing the addon's Python requirements", PIP_HINT):
        pip_install(VENV_PYTHON, [arg for file in files for arg in ('-r', str(ROOT / file))], VENV_LOG, env)
    with step("7. checking that .venv imports Odoo 18", f"remove {VENV} and run again; full log: {VENV_LOG}"):
        check = 'import odoo.release, psycopg2; print(odoo.release.version)'
        result = subprocess.run([str(VENV_PYTHON), '-c', check], capture_output=True, text=True, check=False)
        if result.returncode != 0 or not result.stdout.startswith('18.'):
            raise StepFailed(result.stderr.strip().splitlines()[-1:] or result.stdout)
    VENV_STAMP.write_text(json.dumps(wanted), encoding='utf-8')
    say(f"{VENV} ready in {elapsed(started)}")


SOURCE_HINT = (
    "check the network (or proxy) and that git or the archive URL is reachable, or set ODOO_SOURCE to a local "
    "Odoo 18 source folder or archive, e.g. `make run ODOO_SOURCE=/opt/odoo18`"
)


BUILD_HINT = f"install them yourself: apt-get install {' '.join(BUILD_PACKAGES)}"


PIP_HINT = (
    f"a package did not download or build: check the network, install {' '.join(BUILD_PACKAGES)} python3-dev "
    f"build-essential (make run does it when run as root), then run the command again ({VENV} is reused)"
)


def constraints_file():
    """setuptools < 81 for the packages built from source (newer ones break Odoo's pinned python-ldap and
    PyPDF2 builds), plus any constraints PIP_CONSTRAINT already named."""
    path = VENV / 'constraints.txt'
    lines = ['setuptools<81'] + [f"-c {c}" for c in os.environ.get('PIP_CONSTRAINT', '').split() if c]
    path.write_text('\n'.join(lines) + '\n', encoding='utf-8')
    return path


def odoo_source():
    source = os.environ.get('ODOO_SOURCE') or f"{ODOO_GIT}#{ODOO_BRANCH}"
    return str(Path(source).expanduser().resolve()) if Path(source).expanduser().exists() else source


def release_major(folder):
    try:
        text = (Path(folder) / 'odoo' / 'release.py').read_text(encoding='utf-8')
    except OSError:
        return None
    match = re.search(r'^version_info\s*=\s*\((\d+)', text, re.M)
    return match and int(match[1])


def fetch_odoo(source):
    """The Odoo source folder: ODOO_SOURCE itself when it is a folder, else downloaded into .venv/src/odoo."""
    if Path(source).is_dir():
        if release_major(source) != 18:
            raise StepFailed(f"{source} is not an Odoo 18 source folder (no odoo/release.py of version 18)")
        say(f"   using the source folder {source} as it is")
        return Path(source)
    target = VENV / 'src' / 'odoo'
    if target.exists():
        shutil.rmtree(target)  # a source of another ODOO_SOURCE, or a download cut short
    target.parent.mkdir(parents=True, exist_ok=True)
    if re.search(r'\.(zip|tar|tar\.gz|tgz|tar\.bz2|tar\.xz)$', source):
        unpack_archive(source, target)
    else:
        url, _, branch = source.partition('#')
        ensure_debian_packages(['git'])
        cmd = ['git', 'clone', '--depth', '1', '--progress', '--branch', branch or ODOO_BRANCH, url, str(target)]
        if subprocess.call(cmd) != 0:
            raise StepFailed(f"git clone of {url} (branch {branch or ODOO_BRANCH}) failed")
    if release_major(target) != 18:
        raise StepFailed(f"{source} does not hold Odoo 18 (odoo/release.py)")
    return target


def unpack_archive(source, target):
    archive = Path(source)
    if not archive.is_file():
        archive = target.parent / source.rsplit('/', 1)[-1]
        say(f"   downloading {source}")
        last = time.monotonic()
        try:
            with urllib.request.urlopen(source, timeout=60) as response, open(archive, 'wb') as out:  # noqa: S310
                done = 0
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                    done += len(chunk)
                    if time.monotonic() - last > 5:
                        say(f"   {done >> 20} MB downloaded")
                        last = time.monotonic()
        except (OSError, ValueError) as e:  # URLError and timeouts are OSErrors
            archive.unlink(missing_ok=True)
            raise StepFailed(f"downloading {source}: {e}") from e
    say(f"   unpacking {archive.name}")
    unpacked = target.parent / 'unpacked'
    shutil.rmtree(unpacked, ignore_errors=True)
    try:
        shutil.unpack_archive(str(archive), str(unpacked))
    except (OSError, ValueError, shutil.ReadError) as e:
        raise StepFailed(f"unpacking {archive}: {e}") from e
    entries = list(unpacked.iterdir())
    (entries[0] if len(entries) == 1 and entries[0].is_dir() else unpacked).rename(target)
    shutil.rmtree(unpacked, ignore_errors=True)


def ensure_build_packages():
    missing = debian_missing(BUILD_PACKAGES)
    if not missing:
        say("   already installed (or not a Debian system)")
    elif os.geteuid() == 0 and shutil.which('apt-get'):
        apt_install(missing)
    else:
        say(f"   not root: if a package fails to build below, run apt-get install {' '.join(missing)} as root")

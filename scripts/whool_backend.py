# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""PEP 517 build backend: whool (as OCA builds its addons), whatever the checkout folder is named.

whool names the distribution after the addon's folder (``odoo-addon-<folder>``) and has no option to
name it otherwise; this repository is the addon but may be checked out as ``main`` or anything else.
So each hook works in a copy named ``customer_portal`` of the files git tracks, with a ``PKG-INFO``
holding the name and the version whool computes here (the manifest version plus git's post-version),
which is how whool builds from an sdist. Everything else (files, Requires-Dist from the manifest's
external_dependencies) is whool's own. whool is pinned in pyproject.toml: this uses two of its helpers.
"""

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from email.message import Message
from pathlib import Path

from whool import buildapi

ADDON = 'customer_portal'
# never packaged, even when not ignored by git in a copy without it
SKIPPED = {'.git', '.data', '.venv', 'build', 'dist', '__pycache__'}


def _tracked_files(source):
    try:
        out = subprocess.check_output(['git', 'ls-files', '-z'], cwd=source)
    except (OSError, subprocess.CalledProcessError):
        return None
    return [name for name in out.decode().split('\0') if name]


@contextmanager
def _as_addon():
    source = Path.cwd()
    if source.name == ADDON or (source / 'PKG-INFO').exists():
        yield  # already named right (or an sdist): plain whool
        return
    metadata = buildapi._get_metadata(source)  # version from this checkout's git history
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / ADDON
        files = _tracked_files(source)
        if files is None:
            shutil.copytree(source, copy, ignore=lambda _d, names: [n for n in names if n in SKIPPED])
        else:
            for name in files:
                if set(Path(name).parts) & SKIPPED or not (source / name).is_file():
                    continue  # deleted in the work tree but not yet in git
                (copy / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source / name, copy / name)
        pkg_info = Message()
        pkg_info['Metadata-Version'] = '2.1'
        pkg_info['Name'] = metadata['Name'].rsplit('-addon-', 1)[0] + '-addon-' + ADDON
        pkg_info['Version'] = metadata['Version']
        buildapi._write_metadata(copy / 'PKG-INFO', pkg_info)
        os.chdir(copy)
        try:
            yield
        finally:
            os.chdir(source)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    wheel_directory = os.path.abspath(wheel_directory)
    with _as_addon():
        return buildapi.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):
    sdist_directory = os.path.abspath(sdist_directory)
    with _as_addon():
        return buildapi.build_sdist(sdist_directory, config_settings)


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    metadata_directory = os.path.abspath(metadata_directory)
    with _as_addon():
        return buildapi.prepare_metadata_for_build_wheel(metadata_directory, config_settings)

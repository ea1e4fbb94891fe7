#!/usr/bin/env python3
# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Regenerate i18n/customer_portal.pot with Odoo's own exporter, and merge it into the .po files (`make pot`).

1. A throwaway database with the addon installed (demo data included, as Odoo's own .pot files include
   their modules' demo records).
2. `--i18n-export=customer_portal.pot --modules=customer_portal` on it: Odoo's TranslationModuleReader
   reads the translatable records and walks every addons path with os.walk(followlinks=True) for the
   code terms, each file counting as the module of the first folder under its addons path. The addon is
   given to it as a temporary folder of links to the repository's own top-level entries: not `.data/`
   (a link to the repository root would hold `.data/` and that link itself: an endless walk in which
   every .py file under `.data/` counts as ours), nor a folder of other addons (`bridges/`: their
   strings are theirs, translated in their own i18n/). The result replaces i18n/customer_portal.pot.
3. Each i18n/<lang>.po keeps its translations of the msgids still there, gets the new msgids
   untranslated and loses those gone; what is left to translate is printed per language.
"""

# A command-line script: it prints what it does for the developer, no logger.
# pylint: disable=print-used

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import portalctl  # noqa: E402  (same folder: reuses its PostgreSQL and Odoo helpers)
from cp_odoo import ODOO_BIN, addon_view, install  # noqa: E402
from portalctl import DATA, MODULE, ROOT  # noqa: E402

I18N = ROOT / 'i18n'
POT = I18N / f'{MODULE}.pot'


def say(message):
    print(f"[pot] {message}", flush=True)


def die(message, code=2):
    print(f"[pot] error: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def without_dates(path):
    return re.sub(r'"(POT-Creation|PO-Revision)-Date: [^"]*"', '', Path(path).read_text(encoding='utf-8'))


def run(step, cmd):
    started = time.monotonic()
    say(f"{step} ...")
    result = subprocess.run(cmd, check=False)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        die(f"{step} failed (exit code {result.returncode}); see the messages above.")
    say(f"{step}: done in {elapsed:.0f} s")
    return elapsed


def merge_po_files():
    """Bring every i18n/*.po in line with the new .pot; count what is left to translate."""
    import polib  # noqa: PLC0415 - an Odoo requirement: importable once check_odoo() passed

    pot = polib.pofile(str(POT))
    for po_path in sorted(I18N.glob('*.po')):
        po = polib.pofile(str(po_path))
        po.merge(pot)
        for entry in po.obsolete_entries():
            po.remove(entry)
        for entry in po:
            if 'fuzzy' in entry.flags:  # polib never makes fuzzy entries; a translator's guess is not done
                entry.msgstr = ''
                entry.flags.remove('fuzzy')
        po.sort(key=lambda e: e.msgid)
        po.save(str(po_path))
        todo = [entry.msgid for entry in po if not entry.msgstr]
        say(f"{po_path.name}: {len(po)} entries, {len(todo)} to translate")
        for msgid in todo[:20]:
            say(f"    {msgid[:100]!r}")


def main():
    odoo_package = portalctl.check_odoo()
    postgres = portalctl.Postgres()
    postgres.start()
    dbname = f"{MODULE}_pot_{int(time.time())}_{os.getpid()}"
    tmp = tempfile.mkdtemp(prefix=f'{MODULE}_pot_')
    try:
        install(
            odoo_package, postgres, dbname, ['-i', MODULE], f"installing {MODULE} in the throwaway database {dbname}"
        )
        exported = Path(tmp) / f'{MODULE}.pot'  # beside the view, not in it
        stock = [str(p) for p in (odoo_package.parent / 'addons', odoo_package / 'addons') if p.is_dir()]
        export = [
            sys.executable, str(ODOO_BIN), '--addons-path', ','.join([*stock, str(addon_view(tmp).parent)]),
            '--data-dir', str(DATA / 'odoo'), *postgres.odoo_args, '-d', dbname, '--log-level', 'warn',
            f'--i18n-export={exported}', f'--modules={MODULE}',
        ]  # fmt: skip
        seconds = run("exporting its terms with Odoo's --i18n-export", export)
        I18N.mkdir(exist_ok=True)
        if not POT.exists() or without_dates(POT) != without_dates(exported):  # no diff for a new date only
            shutil.copyfile(exported, POT)
        count = POT.read_text(encoding='utf-8').count('\nmsgid ') - 1  # the header is one
        say(f"{POT.relative_to(ROOT)}: {count} msgids (the export took {seconds:.0f} s)")
        merge_po_files()
    finally:
        try:
            postgres.drop_database(dbname)
        except Exception as e:  # noqa: BLE001 - report, the .pot matters more
            say(f"could not drop {dbname}: {e}")
        shutil.rmtree(DATA / 'odoo' / 'filestore' / dbname, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
        postgres.stop()


if __name__ == '__main__':
    main()

# Developer commands; see README.md. `run`, `test` and `stock-tests` use $(PYTHON) when it imports Odoo 18,
# else build .venv/ with Odoo 18 from ODOO_SOURCE (default: Odoo's git repository, branch 18.0) and use that.
PYTHON ?= python3

.PHONY: run stop test stock-tests wheel lint bench pot

# The demo on http://127.0.0.1:8069 (CP_HTTP_INTERFACE, CP_HTTP_PORT; CP_WORKERS=N serves with N prefork workers).
run:
	$(PYTHON) scripts/portalctl.py run

# Stop the embedded PostgreSQL left running (after CP_KEEP_POSTGRES=1 or a killed command).
stop:
	$(PYTHON) scripts/portalctl.py stop

test:
	$(PYTHON) scripts/portalctl.py test

# Stock Odoo's post-install tests of the modules the addon extends, with the addon installed.
stock-tests:
	$(PYTHON) scripts/portalctl.py stock-tests

# The addon as a wheel (pyproject.toml, whool), installed with --no-deps into a virtual environment that
# sees Odoo, which must find and install the module from it. The wheel is left in .data/wheel/dist.
wheel:
	$(PYTHON) scripts/wheel.py

# ruff (checks, format) and pylint-odoo as OCA runs them, pinned (requirements-lint.txt) in .data/lint/venv.
lint:
	$(PYTHON) scripts/lint.py

# A benchmark against stock Odoo (not run by CI; about 25 minutes the first time): see README.md.
bench:
	$(PYTHON) scripts/bench.py

# i18n/customer_portal.pot exported by Odoo from a throwaway database with the addon, merged into i18n/*.po
# (new msgids left untranslated and listed; tests/test_i18n.py fails until they are translated).
pot:
	$(PYTHON) scripts/pot.py

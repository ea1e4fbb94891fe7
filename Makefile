# Developer commands; see README.md. Odoo 18 must be importable by python3.
PYTHON ?= python3

.PHONY: run test stock-tests wheel lint bench

run:
	$(PYTHON) scripts/portalctl.py run

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

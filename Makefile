# Developer commands; see README.md. Odoo 18 must be importable by python3.
PYTHON ?= python3

.PHONY: run test

run:
	$(PYTHON) scripts/portalctl.py run

test:
	$(PYTHON) scripts/portalctl.py test

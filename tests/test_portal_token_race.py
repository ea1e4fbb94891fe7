import threading
from concurrent.futures import ThreadPoolExecutor

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name


@tagged('post_install', '-at_install')
class TestPortalTokenRace(BaseCase):
    """Two requests showing the same new invoice at once both ask for its access token."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            if not env.company.chart_template:
                env['account.chart.template'].try_loading('generic_coa', env.company, install_demo=False)
            partner = env['res.partner'].create({'name': 'Token Race Customer'})
            invoice = env['account.move'].create(
                {
                    'move_type': 'out_invoice',
                    'partner_id': partner.id,
                    'invoice_line_ids': [
                        Command.create({'name': 'Line', 'quantity': 1, 'price_unit': 10.0, 'tax_ids': []})
                    ],
                }
            )
            invoice.action_post()
            invoice.access_token = False
            cls.partner_id, cls.invoice_id = partner.id, invoice.id
        cls.addClassCleanup(cls._cleanup_data)

    @classmethod
    def _cleanup_data(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            invoice = env['account.move'].browse(cls.invoice_id)
            invoice.button_draft()
            invoice.with_context(force_delete=True).unlink()
            env['res.partner'].browse(cls.partner_id).unlink()

    def _show_link(self, barrier):
        with self.registry.cursor() as cr:
            # The test runner holds the registry lock: give the cursor its registry directly.
            cr.transaction = api.Transaction(self.registry)
            env = api.Environment(cr, SUPERUSER_ID, {})
            invoice = env['account.move'].browse(self.invoice_id)
            invoice.mapped('name')  # take the snapshot before the other one commits
            barrier.wait(timeout=30)
            try:
                token = invoice._portal_ensure_token()
                cr.commit()
                return token
            except SerializationFailure:
                cr.rollback()
                return 'retry'

    def _token(self):
        with self.registry.cursor() as cr:
            cr.transaction = api.Transaction(self.registry)
            return api.Environment(cr, SUPERUSER_ID, {})['account.move'].browse(self.invoice_id).access_token

    def test_concurrent_first_views_log_no_error(self):
        """The loser of the race is retried by Odoo's request loop: no ERROR line, one token kept."""
        barrier = threading.Barrier(2)
        with self.assertNoLogs(level='ERROR'), ThreadPoolExecutor(max_workers=2) as executor:
            results = [f.result(timeout=60) for f in [executor.submit(self._show_link, barrier) for _i in range(2)]]
        self.assertEqual(results.count('retry'), 1, results)
        token = self._token()
        self.assertTrue(token)
        self.assertIn(token, results, "the committed token is the one the winner showed")
        # Odoo's retry of the loser finds the token and keeps it.
        self.assertEqual(self._show_link(threading.Barrier(1)), token)

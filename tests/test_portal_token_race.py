import threading

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from .common_payment import PortalPaymentConcurrencyCase


@tagged('post_install', '-at_install')
class TestPortalTokenRace(PortalPaymentConcurrencyCase):
    """Two requests showing the same new invoice at once both ask for its access token."""

    CUSTOMER = {'name': 'Token Race Customer'}
    INVOICE_COUNT = 1
    INVOICE_AMOUNT = 10.0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice_id = cls.invoice_ids[0]
        with cls.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})['account.move'].browse(cls.invoice_id).access_token = False

    def _show_link(self, barrier, invoice_ids=None):
        with self._thread_env() as env:
            invoice = env['account.move'].browse(self.invoice_id)
            invoice.mapped('name')  # take the snapshot before the other one commits
            barrier.wait(timeout=30)
            try:
                token = invoice._portal_ensure_token()
                env.cr.commit()
                return token
            except SerializationFailure:
                env.cr.rollback()
                return 'retry'

    def _token(self):
        with self._thread_env() as env:
            return env['account.move'].browse(self.invoice_id).access_token

    def test_concurrent_first_views_log_no_error(self):
        """The loser of the race is retried by Odoo's request loop: no ERROR line, one token kept."""
        with self.assertNoLogs(level='ERROR'):
            results = self._race(self._show_link, [[self.invoice_id]] * 2)
        self.assertEqual(results.count('retry'), 1, results)
        token = self._token()
        self.assertTrue(token)
        self.assertIn(token, results, "the committed token is the one the winner showed")
        # Odoo's retry of the loser finds the token and keeps it.
        self.assertEqual(self._show_link(threading.Barrier(1)), token)

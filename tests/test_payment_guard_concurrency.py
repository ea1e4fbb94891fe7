from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_payment import PortalPaymentConcurrencyCase


@tagged('post_install', '-at_install')
class TestPaymentGuardConcurrency(PortalPaymentConcurrencyCase):
    """Real concurrent transactions on committed data: exactly one payment per invoice."""

    INVOICE_COUNT = 6

    def _attempt(self, barrier, invoice_ids):
        with self._thread_env() as env:
            # Start the transaction (and its REPEATABLE READ snapshot) before the others commit.
            env['account.move'].browse(invoice_ids).mapped('name')
            barrier.wait(timeout=30)
            try:
                env['payment.transaction'].create(self._transaction_values(invoice_ids))
                env.cr.commit()
                return 'created'
            except UserError as error:
                env.cr.rollback()
                return str(error)

    def _active_txs(self, invoice_id):
        with self._thread_env() as env:
            return env['payment.transaction'].search_count(
                [
                    ('invoice_ids', 'in', [invoice_id]),
                    ('state', 'in', ('draft', 'pending', 'authorized', 'done')),
                ]
            )

    @mute_logger('odoo.sql_db')
    def test_two_simultaneous_attempts(self):
        """Two simultaneous payments of one invoice: one is made, the other is refused."""
        invoice_id = self.invoice_ids[0]
        results = self._race(self._attempt, [[invoice_id]] * 2)
        self.assertEqual(results.count('created'), 1, results)
        self.assertTrue(all('in progress' in r or 'being processed' in r for r in results if r != 'created'), results)
        self.assertEqual(self._active_txs(invoice_id), 1)

    @mute_logger('odoo.sql_db')
    def test_twenty_simultaneous_attempts(self):
        """Twenty simultaneous payments of one invoice: exactly one is made."""
        invoice_id = self.invoice_ids[1]
        results = self._race(self._attempt, [[invoice_id]] * 20)
        self.assertEqual(results.count('created'), 1, results)
        self.assertEqual(self._active_txs(invoice_id), 1)

    def test_lock_refusal_names_the_payment(self):
        """Issue 8, item 20: the requests stopped by the lock are told which payment won, since
        when and until when, like every other refusal; an expected race logs no ERROR."""
        invoice_id = self.invoice_ids[4]
        with self.assertNoLogs(level='ERROR'):
            results = self._race(self._attempt, [[invoice_id]] * 5)
        self.assertEqual(results.count('created'), 1, results)
        with self._thread_env() as env:
            reference = env['payment.transaction'].search([('invoice_ids', 'in', [invoice_id])]).reference
        for result in results:
            if result != 'created':
                self.assertIn(reference, result)
                self.assertIn("you can pay again after", result)

    @mute_logger('odoo.sql_db')
    def test_bulk_racing_single(self):
        """A bulk payment racing a single payment of a shared invoice: only one is made."""
        invoice_a, invoice_b = self.invoice_ids[2:4]
        results = self._race(self._attempt, [[invoice_a, invoice_b], [invoice_b]])
        self.assertEqual(results.count('created'), 1, results)
        self.assertEqual(self._active_txs(invoice_b), 1, "B is in exactly one payment")

    def test_payment_committed_after_the_snapshot(self):
        """A request that began (took its snapshot) before another payment of the invoice was made and
        committed is refused, naming that payment: the first payment of the invoice (its guard row is
        new) and a later one (its guard row exists, the earlier payment cancelled) alike."""
        invoice_id = self.invoice_ids[5]
        for case in ("first payment", "payment after a cancelled one"):
            with self._thread_env() as late:
                late['account.move'].browse(invoice_id).mapped('name')  # the snapshot
                with self._thread_env() as early:
                    transaction = early['payment.transaction'].create(self._transaction_values([invoice_id]))
                    reference = transaction.reference
                    early.cr.commit()
                with self.assertNoLogs(level='ERROR'), self.assertRaises(UserError, msg=case) as refusal:
                    late['payment.transaction'].create(self._transaction_values([invoice_id]))
                self.assertIn(reference, str(refusal.exception), case)
            with self._thread_env() as env:
                guard = env['customer_portal.payment.guard'].search([('invoice_id', '=', invoice_id)])
                self.assertEqual(guard.payment_count, 1 if case == "first payment" else 2, case)
                env['payment.transaction'].browse(transaction.id)._set_canceled()
                env.cr.commit()

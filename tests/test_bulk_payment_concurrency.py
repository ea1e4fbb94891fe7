from odoo import fields
from odoo.tests import tagged

from .common_payment import PortalPaymentConcurrencyCase


@tagged('post_install', '-at_install')
class TestBulkPaymentReferenceConcurrency(PortalPaymentConcurrencyCase):
    """Issue 8, item 17: the first bulk payments of a year, started at the same moment by several
    contacts on different invoices, all start. Real concurrent transactions on committed data, on
    a year whose range of stock's batch sequence does not exist yet."""

    PAYERS = 6
    CUSTOMER = {'name': 'Simultaneous Customer', 'is_company': True}
    INVOICE_COUNT = 2 * PAYERS
    INVOICE_AMOUNT = 10.0

    @classmethod
    def _setup_committed_data(cls, env):
        # A new year: stock's gapless batch sequence has no range for today.
        today = fields.Date.context_today(env.user)
        env.company.batch_payment_sequence_id.date_range_ids.filtered(
            lambda rng: rng.date_from <= today <= rng.date_to
        ).unlink()

    def _pay_selected(self, barrier, invoice_ids):
        """What "Pay selected" does on the server: the batch reference, then the transaction."""
        with self._thread_env() as env:
            invoices = env['account.move'].browse(invoice_ids)
            invoices.mapped('name')  # the transaction (and its snapshot) starts before the others commit
            barrier.wait(timeout=30)
            try:
                Transaction = env['payment.transaction']
                reference = Transaction._get_portal_batch_payment_reference()
                tx = Transaction.create(
                    self._transaction_values(
                        invoice_ids, reference=Transaction._compute_reference('demo', prefix=reference)
                    )
                )
                env.cr.commit()
                return tx.reference
            except Exception as error:  # noqa: BLE001 -- the test reports what each payer got
                env.cr.rollback()
                return f"refused: {error}"

    def test_simultaneous_first_bulk_payments_of_a_year_all_start(self):
        """Six payers at once on a year without sequence range all get a payment and a BULK reference."""
        selections = [self.invoice_ids[i : i + 2] for i in range(0, 2 * self.PAYERS, 2)]
        with self.assertNoLogs(level='ERROR'):
            references = self._race(self._pay_selected, selections)
        self.assertFalse([ref for ref in references if ref.startswith("refused")], references)
        self.assertEqual(len(set(references)), self.PAYERS, "One reference per payment")
        year = str(fields.Date.today().year)
        self.assertTrue(all(ref.startswith(f"BULK/{year}/") for ref in references), references)
        with self._thread_env() as env:
            txs = env['payment.transaction'].search([('invoice_ids', 'in', self.invoice_ids)])
            self.assertEqual(len(txs), self.PAYERS, "Every payer got a payment started")
            for selection in selections:
                self.assertEqual(
                    len(txs.filtered(lambda tx, selection=selection: set(tx.invoice_ids.ids) == set(selection))), 1
                )

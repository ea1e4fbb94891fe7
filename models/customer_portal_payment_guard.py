from odoo import api, fields, models
from odoo.tools import SQL


class CustomerPortalPaymentGuard(models.Model):
    """One row per invoice ever paid online, bumped by every payment of it (P4).

    The duplicate-payment guard needs a row that two payments of the same invoice both write, so that
    under REPEATABLE READ the second one fails even when the first committed after the second began.
    Writing the invoices' own rows did that, but account.move is wide and has some thirty indexes: for a
    bulk payment of 200 invoices that UPDATE took about 11 ms, the transaction's largest query. Writing
    this narrow table takes about 2 ms.
    """

    _name = 'customer_portal.payment.guard'
    _description = "Portal Payment Guard"
    _log_access = False

    invoice_id = fields.Many2one('account.move', required=True, ondelete='cascade', readonly=True)
    payment_count = fields.Integer(
        readonly=True, help="Payments started on this invoice; each one writes the row, which is what conflicts."
    )

    _sql_constraints = [
        ('invoice_unique', 'UNIQUE(invoice_id)', "An invoice has one payment guard."),
    ]

    @api.model
    def _claim(self, invoice_ids):
        """Write the guard rows of ``invoice_ids`` (in id order: no deadlock), creating the missing ones.
        Raises psycopg2's SerializationFailure when a payment of one of them wrote its row after this
        transaction began (under REPEATABLE READ, an insert that conflicts with a row this transaction
        cannot see fails as an update of it does)."""
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO customer_portal_payment_guard (invoice_id, payment_count)
                     SELECT invoice_id, 1 FROM unnest(%s::int[]) AS invoice_id ORDER BY invoice_id
                ON CONFLICT (invoice_id)
                  DO UPDATE SET payment_count = customer_portal_payment_guard.payment_count + 1
                """,
                sorted(invoice_ids),
            ),
            log_exceptions=False,
        )

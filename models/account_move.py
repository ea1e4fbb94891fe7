import math
import re
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_datetime, format_time

# States in which a transaction means "money is on its way" (P4), whatever the provider,
# manual bank transfer ('custom') included, unlike stock which ignores 'none' and 'custom'.
PORTAL_PENDING_TX_STATES = ('pending', 'authorized')
# A draft transaction is a payment the customer is completing at the provider right now; it
# blocks a new one for this long, after which it is considered abandoned.
PORTAL_DRAFT_TX_BLOCK_MINUTES = 15
# How long a request that lost the race for an invoice waits for the winner to end, to name its payment.
PORTAL_CONCURRENT_PAYMENT_WAIT_SECONDS = 5
# Payment states of an invoice whose "Allow Partial Payment" no longer changes.
PORTAL_PAID_STATES = ('paid', 'in_payment', 'reversed')
# Payment states of an invoice with an amount left to pay ("unpaid" in the portal's code).
PORTAL_UNPAID_STATES = ('not_paid', 'partial')
# Operations of the payments a customer starts; refunds and validations pay no invoice.
PORTAL_PAYMENT_OPERATIONS = ('online_redirect', 'online_direct', 'online_token', 'offline')
# A plain decimal amount: no sign, exponent, NaN or infinity ("1e9", "-1", "nan" are tampering).
AMOUNT_RE = re.compile(r'^\d{1,15}(\.\d{1,6})?$')


class AccountMove(models.Model):
    _inherit = 'account.move'

    allow_partial_payment = fields.Boolean(
        copy=False,
        help="The customer may pay any amount up to the amount due of this invoice from the portal.",
    )
    portal_transaction_in_progress_ids = fields.Many2many(
        'payment.transaction',
        string="Payments in Progress",
        compute='_compute_portal_transaction_in_progress_ids',
        groups='account.group_account_invoice',
        help="Online payments of this invoice that are pending or authorized: the customer cannot pay it "
        "online again until they are confirmed, cancelled or fail.",
    )

    @api.depends('transaction_ids.state')
    def _compute_portal_transaction_in_progress_ids(self):
        for invoice in self:
            invoice.portal_transaction_in_progress_ids = invoice.transaction_ids.filtered(
                lambda tx: tx.state in PORTAL_PENDING_TX_STATES and tx.operation in PORTAL_PAYMENT_OPERATIONS
            ).sorted('id', reverse=True)

    def write(self, vals):
        # EXTENDS account: whether a paid invoice could have been paid in part is history.
        if 'allow_partial_payment' in vals and any(
            invoice.payment_state in PORTAL_PAID_STATES
            and invoice.allow_partial_payment != bool(vals['allow_partial_payment'])
            for invoice in self
        ):
            raise UserError(self.env._("Partial payment cannot be changed on an invoice that is paid or reversed."))
        return super().write(vals)

    # ------------------------------------------------------------
    # P4: payments in progress
    # ------------------------------------------------------------

    def _get_portal_pending_transactions(self):
        """Map each invoice id of ``self`` to its last transaction in progress (sudo), for the
        invoices whose company prevents duplicate payments (P4). Read through the prefetched
        ``transaction_ids`` so that a page of invoices costs the same few queries as one."""
        draft_limit = fields.Datetime.now() - timedelta(minutes=PORTAL_DRAFT_TX_BLOCK_MINUTES)
        pending = {}
        for invoice in self.sudo():
            if not invoice.id or not invoice.company_id.portal_prevent_duplicate_payment:
                continue
            txs = [
                tx
                for tx in invoice.transaction_ids
                if tx.operation in PORTAL_PAYMENT_OPERATIONS
                and not tx.source_transaction_id
                and (tx.state in PORTAL_PENDING_TX_STATES or (tx.state == 'draft' and tx.create_date >= draft_limit))
            ]
            if txs:
                pending[invoice.id] = max(txs, key=lambda tx: tx.id)
        return pending

    def _get_portal_pending_transaction(self):
        """The payment transaction in progress on this invoice (sudo), or an empty recordset."""
        self.ensure_one()
        return self._get_portal_pending_transactions().get(self.id, self.env['payment.transaction'].sudo())

    def _get_portal_payment_in_progress_message(self, tx=None):
        """The one sentence every refusal, page and list shows for the payment ``tx`` in progress
        on this invoice (P4): its reference, when it started and when paying is possible again,
        in the timezone of the reader. Without ``tx``, the invoice's payment in progress, if any
        ('' when there is none)."""
        self.ensure_one()
        if tx is None:
            tx = self._get_portal_pending_transaction()
        if not tx:
            return ''
        tz = self.env.user.tz or False  # the reader's, as every date of the portal pages
        values = {
            'reference': tx.reference,
            'date': format_datetime(self.env, tx.create_date, tz=tz, dt_format='short'),
        }
        if tx.state == 'draft':
            # An unfinished payment at the provider blocks for a while only (abandoned payments).
            until = tx.create_date + timedelta(minutes=PORTAL_DRAFT_TX_BLOCK_MINUTES)
            return self.env._(
                "A payment for this invoice is being processed (%(reference)s, started on %(date)s). "
                "If it was abandoned, you can pay again after %(time)s.",
                **values,
                time=format_time(self.env, until, tz=tz, time_format='short'),
            )
        return self.env._(
            "A payment for this invoice is being processed (%(reference)s, started on %(date)s). "
            "You can pay again when it is cancelled or fails.",
            **values,
        )

    def _check_portal_no_payment_in_progress(self):
        """Refuse a new payment on invoices of ``self`` that already have one in progress (P4)."""
        pending = self._get_portal_pending_transactions()
        for invoice in self.filtered(lambda inv: inv.id in pending):
            raise UserError(invoice._get_portal_payment_in_progress_message(pending[invoice.id]))

    def _lock_for_portal_payment(self):
        """Lock the invoices for the creation of a payment transaction, then check that none has
        a payment in progress (P4).

        Odoo runs REPEATABLE READ, where a lock alone does not see a transaction committed by a
        concurrent request after ours started. The rows are therefore locked in id order (no
        deadlock), without waiting, and updated: a concurrent request that locked or updated them
        first makes ours fail at once (lock not available, or serialization failure), and the
        loser is told that a payment is already in progress instead of getting a 500.
        """
        invoices = self.filtered(lambda inv: inv.company_id.portal_prevent_duplicate_payment)
        if not invoices:
            return
        ids = tuple(sorted(invoices.ids))
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM account_move WHERE id IN %s ORDER BY id FOR UPDATE NOWAIT",
                        ids,
                    ),
                    log_exceptions=False,
                )
                # A real update, not only a lock: this is what conflicts under REPEATABLE READ.
                self.env.cr.execute(
                    SQL(
                        "UPDATE account_move SET write_date = write_date WHERE id IN %s",
                        ids,
                    ),
                    log_exceptions=False,
                )
        except (pg_errors.LockNotAvailable, pg_errors.SerializationFailure):
            raise UserError(invoices._get_portal_concurrent_payment_message()) from None
        # Read the transactions of the locked rows again, not what the cache held before the lock.
        invoices.invalidate_recordset(['transaction_ids'])
        invoices._check_portal_no_payment_in_progress()

    def _get_portal_concurrent_payment_message(self):
        """The refusal of a request that lost the race of ``_lock_for_portal_payment``: the
        payment started by the concurrent request, with its reference and date like every other
        refusal (P4).

        That payment is not visible to our transaction (not committed yet, or committed after our
        snapshot). Another transaction, READ COMMITTED, waits a few seconds for the concurrent
        request to end (a share lock on the invoices), then reads it.
        """
        pending = {}
        if not self.env.registry.in_test_mode():  # test cursors share one transaction
            ids = tuple(sorted(self.ids))
            with self.env.registry.cursor() as cr:
                # why: api.Environment(cr) without a transaction looks the registry up by name,
                # which waits for the registry lock that a running module install holds.
                cr.transaction = api.Transaction(self.env.registry)
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                cr.execute(SQL("SET LOCAL lock_timeout = %s", f'{PORTAL_CONCURRENT_PAYMENT_WAIT_SECONDS}s'))
                try:
                    cr.execute(
                        SQL(
                            "SELECT id FROM account_move WHERE id IN %s ORDER BY id FOR SHARE",
                            ids,
                        ),
                        log_exceptions=False,
                    )
                except pg_errors.LockNotAvailable:
                    cr.rollback()
                else:
                    invoices = self.with_env(self.env(cr=cr, su=True))
                    pending = {
                        invoice.id: invoice._get_portal_payment_in_progress_message(tx)
                        for invoice_id, tx in invoices._get_portal_pending_transactions().items()
                        for invoice in invoices.browse(invoice_id)
                    }
        for invoice in self:
            if invoice.id in pending:
                return pending[invoice.id]
        return self.env._(
            "Another payment of this invoice was started at the same moment. "
            "Reload the page in a minute to see it; you can pay again if it is cancelled or fails."
        )

    def _has_to_be_paid(self):
        # EXTENDS account_payment: no Pay button while any payment is in progress (P4), manual
        # bank transfers included.
        return super()._has_to_be_paid() and not self._get_portal_pending_transaction()

    def _get_online_payment_error(self):
        # EXTENDS account_payment: say which payment is in progress and since when.
        error = super()._get_online_payment_error()
        tx = self._get_portal_pending_transaction()
        if tx:
            error = '\n'.join(filter(None, [self._get_portal_payment_in_progress_message(tx), error]))
        return error

    # ------------------------------------------------------------
    # Portal rules: unpaid, past due, payable (C2, P10)
    # ------------------------------------------------------------

    @api.model
    def _get_portal_unpaid_domain(self):
        """Invoices with an amount left to pay ("Outstanding" for the customer): not paid, or
        paid in part."""
        return [('payment_state', 'in', PORTAL_UNPAID_STATES)]

    @api.model
    def _get_portal_paid_domain(self):
        """Invoices paid in full, the money received or on its way ("Paid")."""
        return [('payment_state', 'in', ('paid', 'in_payment'))]

    @api.model
    def _get_portal_past_due_domain(self):
        """Unpaid invoices whose due date has passed ("Past Due", the "Overdue" badge)."""
        return self._get_portal_unpaid_domain() + [('invoice_date_due', '<', fields.Date.today())]

    def _is_portal_past_due(self):
        """Whether this invoice is past due (``_get_portal_past_due_domain``)."""
        self.ensure_one()
        return bool(self.filtered_domain(self._get_portal_past_due_domain()))

    @api.model
    def _get_portal_partner_invoices_domain(self, partner):
        """Posted customer invoices of ``partner``'s company (its commercial partner)."""
        return [
            ('move_type', '=', 'out_invoice'),
            ('state', '=', 'posted'),
            ('commercial_partner_id', '=', partner.commercial_partner_id.id),
        ]

    @api.model
    def _get_portal_payable_domain(self, partner):
        """The invoices ``partner`` may pay from the portal, as a search domain (the rule is
        ``_filter_portal_payable_by``)."""
        return self._get_portal_partner_invoices_domain(partner) + self._get_portal_unpaid_domain()

    def _filter_portal_payable_by(self, partner):
        """The invoices of ``self`` that ``partner`` may pay from the portal: posted customer
        invoices of their company with an amount left to pay. A payment in progress (P4) is the
        other rule, ``_get_portal_pending_transaction``."""
        payable = self.filtered_domain(self._get_portal_payable_domain(partner))
        return payable.filtered(lambda inv: not inv.currency_id.is_zero(inv.amount_residual))

    def _is_portal_payable_by(self, partner):
        """Whether ``partner`` may pay this invoice from the portal (``_filter_portal_payable_by``)."""
        self.ensure_one()
        return bool(self._filter_portal_payable_by(partner))

    def _get_portal_payable_error(self, partner):
        """Why ``partner`` may not pay this invoice from the portal, or '' when they may."""
        self.ensure_one()
        if self._is_portal_payable_by(partner):
            return ''
        if self.filtered_domain(self._get_portal_partner_invoices_domain(partner)):
            return self.env._("Invoice %(name)s has nothing left to pay.", name=self.name)
        return self.env._("You cannot pay one of the selected invoices.")

    def _get_invoice_portal_extra_values(self, custom_amount=None):
        # EXTENDS account: what a row of /my/invoices shows beside stock's: why the invoice has no
        # Pay Now when a payment of it is in progress (P4) and, with bulk payments (P10), whether
        # the customer may select it for "Pay selected". Read through the prefetched transactions,
        # so that a page of invoices costs the same few queries as one.
        values = super()._get_invoice_portal_extra_values(custom_amount=custom_amount)
        invoice_sudo = self.sudo()  # the transactions of the invoice, which portal users cannot read
        message = invoice_sudo._get_portal_payment_in_progress_message()
        values['portal_payment_in_progress'] = message
        user = self.env.user
        if user.company_id.portal_bulk_payment:
            values['portal_bulk_payable'] = not message and self._is_portal_payable_by(user.partner_id)
        return values

    # ------------------------------------------------------------
    # Credit notes (P13, C6)
    # ------------------------------------------------------------

    def _get_portal_credit_note_reference(self):
        """The reference of a credit note for the customer: the one written on it, else the
        invoice it credits or the document it comes from."""
        self.ensure_one()
        return self.ref or self.reversed_entry_id.name or self.invoice_origin or ''

    def _get_portal_credit_note_allocations(self):
        """What this credit note was used for: the invoices it was applied to and the refunds
        paid out of it, each with the amount (credit note currency) and the date.

        :return: (applied, refunds), lists of {'move', 'amount', 'date'} (refunds with 'payment' too)
        """
        self.ensure_one()
        applied, refunds = [], []
        partials, _exchange_moves = self._get_reconciled_invoices_partials()
        for partial, amount, counterpart_line in partials:
            move = counterpart_line.move_id
            allocation = {'move': move, 'amount': amount, 'date': partial.max_date}
            if move.is_sale_document(include_receipts=True):
                applied.append(allocation)
            else:
                allocation['payment'] = move.origin_payment_id
                refunds.append(allocation)
        return applied, refunds

    # ------------------------------------------------------------
    # Amounts (C2, C3)
    # ------------------------------------------------------------

    @api.model
    def _parse_portal_payment_amount(self, amount):
        """``amount`` as a finite float, from a number or a plain decimal string; anything else
        (booleans, "1e9", "-1", "NaN", lists...) is refused."""
        if isinstance(amount, str) and AMOUNT_RE.match(amount.strip()):
            amount = float(amount.strip())
        # why: above 1e15 (JSON 1e308) float_round() overflows and the routes answered 500.
        if (
            isinstance(amount, bool)
            or not isinstance(amount, (int, float))
            or not math.isfinite(amount)
            or abs(amount) >= 1e15
        ):
            raise UserError(self.env._("The amount to pay is not valid."))
        return float(amount)

    def _get_portal_payment_amount(self, amount, allowed_amounts=()):
        """Validate the amount a customer asks to pay on this invoice and return it.

        Accepted: the amount due (early payment discount included), the next installment, the
        residual, an amount set by the business (payment link) and, on invoices that allow
        partial payment, any amount with 0 < amount <= residual.
        """
        self.ensure_one()
        currency = self.currency_id
        amount = currency.round(self._parse_portal_payment_amount(amount))
        residual = self.amount_residual
        if currency.compare_amounts(residual, 0) <= 0:
            raise UserError(self.env._("There is nothing left to pay on this invoice."))
        if currency.compare_amounts(amount, residual) > 0:
            # Whatever asked for it (a payment link made before a partial payment included).
            raise UserError(
                self.env._(
                    "%(amount)s is more than the %(residual)s still due on %(invoice)s: "
                    "you cannot pay more than is due.",
                    amount=currency.format(amount),
                    residual=currency.format(residual),
                    invoice=self.name,
                )
            )
        next_payment = self._get_invoice_next_payment_values()
        accepted = [residual, next_payment.get('amount_due'), next_payment.get('next_amount_to_pay'), *allowed_amounts]
        if any(
            accepted_amount and currency.compare_amounts(amount, accepted_amount) == 0 for accepted_amount in accepted
        ):
            return amount
        if not self.allow_partial_payment:
            raise UserError(
                self.env._(
                    "This invoice must be paid in full: %(amount)s.",
                    amount=currency.format(residual),
                )
            )
        if currency.compare_amounts(amount, 0) <= 0 or currency.compare_amounts(amount, residual) > 0:
            raise UserError(
                self.env._(
                    "The amount to pay must be more than 0 and at most %(amount)s.",
                    amount=currency.format(residual),
                )
            )
        return amount

    def _get_portal_payment_link_amount(self, link_amount):
        """The amount a payment link of this invoice made by the business may charge, and the
        notice to show when it differs: never more than what is still due (the invoice may have
        been partly paid after the link was sent)."""
        self.ensure_one()
        currency = self.currency_id
        residual = self.amount_residual
        if (
            not link_amount
            or currency.compare_amounts(residual, 0) <= 0
            or currency.compare_amounts(link_amount, residual) <= 0
        ):
            return link_amount, ''
        return residual, self.env._(
            "This payment link asks for %(amount)s, but only %(residual)s is still due on %(invoice)s: "
            "you will pay %(residual)s.",
            amount=currency.format(link_amount),
            residual=currency.format(residual),
            invoice=self.name,
        )

    # ------------------------------------------------------------
    # Bulk payment (P10, C3)
    # ------------------------------------------------------------

    @api.model
    def _get_portal_payable_invoices_split(self, partner):
        """The invoices ``partner`` may pay (sudo, ``_filter_portal_payable_by``), oldest due first,
        split into those that can be paid now and those left out because a payment of them is
        in progress (P4).

        :return: (payable invoices, list of (invoice, message saying which payment and since when))
        """
        invoices = self.sudo().search(self._get_portal_payable_domain(partner), order='invoice_date_due, id')
        invoices = invoices._filter_portal_payable_by(partner)
        pending = invoices._get_portal_pending_transactions()
        in_progress = [
            (invoice, invoice._get_portal_payment_in_progress_message(pending[invoice.id]))
            for invoice in invoices
            if invoice.id in pending
        ]
        return invoices.filtered(lambda inv: inv.id not in pending), in_progress

    def _check_portal_payable_by(self, partner):
        """Refuse the whole set unless ``partner`` may pay all of it in one payment: each invoice
        payable by them (``_filter_portal_payable_by``), one currency, one company, none with a
        payment in progress (P4)."""
        if not self:
            raise UserError(self.env._("Select at least one invoice to pay."))
        for invoice in self - self._filter_portal_payable_by(partner):
            raise UserError(invoice._get_portal_payable_error(partner))
        if len(self.currency_id) > 1:
            raise UserError(
                self.env._("Invoices in different currencies cannot be paid together. Select invoices of one currency.")
            )
        if len(self.company_id) > 1:
            raise UserError(self.env._("Invoices of different companies cannot be paid together."))
        self._check_portal_no_payment_in_progress()

    def _get_portal_batch_payment_reference(self):
        """The reference of one portal payment of several invoices (P10).

        Not stock's per-company BATCH sequence: it is gapless with a range per year, so its first
        use of a year creates that range, which simultaneous requests cannot all do ("You cannot
        create two date ranges..."), and each use locks the range until the request ends. Ours
        draws from a PostgreSQL sequence: nothing to create, nothing locked.
        """
        sequence = self.env.ref('customer_portal.sequence_portal_bulk_payment', raise_if_not_found=False)
        # Without it (deleted by an administrator), stock's reference from the invoice numbers.
        return sequence.sudo().next_by_id() if sequence else None

    def _get_portal_bulk_payment_amount(self):
        """The amount of one payment of all these invoices, computed from their residuals."""
        return self.currency_id.round(sum(self.mapped('amount_residual')))

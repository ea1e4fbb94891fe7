import math
import re
from datetime import timedelta

from markupsafe import Markup, escape
from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_amount, format_datetime, format_time

from odoo.addons.customer_portal.models.payment_method import BANK_DEBIT_METHOD_CODES

# Providers whose payments the customer makes outside of Odoo (bank transfer): nothing tells Odoo
# that such a payment will never come, so only the back office can cancel it.
MANUAL_PROVIDER_CODES = ('custom', 'none')
# States in which a transaction means "money is on its way" (P4), whatever the provider,
# manual bank transfer ('custom') included, unlike stock which ignores 'none' and 'custom'.
PORTAL_PENDING_TX_STATES = ('pending', 'authorized')
# A draft transaction is a payment the customer is completing at the provider right now; it
# blocks a new one for this long, after which it is considered abandoned.
PORTAL_DRAFT_TX_BLOCK_MINUTES = 15
# How long a request that lost the race for an invoice waits for the winner to end, to name its payment.
PORTAL_CONCURRENT_PAYMENT_WAIT_SECONDS = 5
# Operations of the payments a customer starts; refunds and validations pay no invoice.
PORTAL_PAYMENT_OPERATIONS = ('online_redirect', 'online_direct', 'online_token', 'offline')
# A plain decimal amount: no sign, exponent, NaN or infinity ("1e9", "-1", "nan" are tampering).
AMOUNT_RE = re.compile(r'^\d{1,15}(\.\d{1,6})?$')


class PaymentTransaction(models.Model):
    _inherit = 'payment.transaction'

    @api.model_create_multi
    def create(self, vals_list):
        # EXTENDS payment: every route that creates a payment of invoices ends here, so the
        # duplicate-payment guard (P4) and the bank-payment permission (C2) hold for all of them.
        for vals in vals_list:
            if vals.get('operation') not in PORTAL_PAYMENT_OPERATIONS or vals.get('source_transaction_id'):
                continue
            self._check_portal_bank_payment_allowed(vals)
            if vals.get('invoice_ids'):
                invoice_ids = self._fields['invoice_ids'].convert_to_cache(vals['invoice_ids'], self)
                self._lock_for_portal_payment(self.env['account.move'].sudo().browse(invoice_ids))
        return super().create(vals_list)

    # ------------------------------------------------------------
    # P4: payments in progress, the duplicate-payment guard
    # ------------------------------------------------------------

    @api.model
    def _get_portal_pending_transactions(self, invoices):
        """Map each invoice id of ``invoices`` to its last transaction in progress (sudo), for the
        invoices whose company prevents duplicate payments (P4). Read through the prefetched
        ``transaction_ids`` so that a page of invoices costs the same few queries as one."""
        draft_limit = fields.Datetime.now() - timedelta(minutes=PORTAL_DRAFT_TX_BLOCK_MINUTES)
        pending = {}
        for invoice in invoices.sudo():
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

    def _get_portal_in_progress_message(self):
        """The one sentence every refusal, page and list shows for this payment in progress on
        an invoice (P4): its reference, when it started and when paying is possible again, in
        the timezone of the reader."""
        self.ensure_one()
        tz = self.env.user.tz or False  # the reader's, as every date of the portal pages
        values = {
            'reference': self.reference,
            'date': format_datetime(self.env, self.create_date, tz=tz, dt_format='short'),
        }
        if self.state == 'draft':
            # An unfinished payment at the provider blocks for a while only (abandoned payments).
            until = self.create_date + timedelta(minutes=PORTAL_DRAFT_TX_BLOCK_MINUTES)
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

    @api.model
    def _check_portal_no_payment_in_progress(self, invoices):
        """Refuse a new payment on ``invoices`` that already have one in progress (P4)."""
        pending = self._get_portal_pending_transactions(invoices)
        for invoice in invoices.filtered(lambda inv: inv.id in pending):
            raise UserError(invoice._get_portal_payment_in_progress_message(pending[invoice.id]))

    @api.model
    def _lock_for_portal_payment(self, invoices):
        """Lock ``invoices`` for the creation of a payment transaction, then check that none has
        a payment in progress (P4).

        Odoo runs REPEATABLE READ, where a lock alone does not see a transaction committed by a
        concurrent request after ours started. The rows are therefore locked in id order (no
        deadlock), without waiting, and their payment guards written (customer_portal.payment.guard):
        a concurrent request that locked the invoices or wrote their guards first makes ours fail at
        once (lock not available, or serialization failure), and the loser is told that a payment is
        already in progress instead of getting a 500.
        """
        invoices = invoices.filtered(lambda inv: inv.company_id.portal_prevent_duplicate_payment)
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
                # A real write, not only a lock: this is what conflicts under REPEATABLE READ.
                self.env['customer_portal.payment.guard']._claim(ids)
        except (pg_errors.LockNotAvailable, pg_errors.SerializationFailure):
            raise UserError(self._get_portal_concurrent_payment_message(invoices)) from None
        # Read the transactions of the locked rows again, not what the cache held before the lock.
        invoices.invalidate_recordset(['transaction_ids'])
        self._check_portal_no_payment_in_progress(invoices)

    @api.model
    def _get_portal_concurrent_payment_message(self, invoices):
        """The refusal of a request that lost the race of ``_lock_for_portal_payment``: the
        payment started by the concurrent request, with its reference and date like every other
        refusal (P4).

        That payment is not visible to our transaction (not committed yet, or committed after our
        snapshot). Another transaction, READ COMMITTED, waits a few seconds for the concurrent
        request to end (a share lock on the invoices), then reads it.
        """
        pending = {}
        if not self.env.registry.in_test_mode():  # test cursors share one transaction
            ids = tuple(sorted(invoices.ids))
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
                    invoices_cr = invoices.with_env(invoices.env(cr=cr, su=True))
                    pending = {
                        invoice.id: invoice._get_portal_payment_in_progress_message(tx)
                        for invoice_id, tx in self.with_env(invoices_cr.env)
                        ._get_portal_pending_transactions(invoices_cr)
                        .items()
                        for invoice in invoices_cr.browse(invoice_id)
                    }
        for invoice in invoices:
            if invoice.id in pending:
                return pending[invoice.id]
        return self.env._(
            "Another payment of this invoice was started at the same moment. "
            "Reload the page in a minute to see it; you can pay again if it is cancelled or fails."
        )

    # ------------------------------------------------------------
    # Amount and reference of a payment of invoices (C2, C3, P10)
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

    @api.model
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

    def _log_sent_message(self):
        # EXTENDS payment: marks the message of a payment being started, which a payment of several
        # invoices notes once on the customer (see _log_message_on_linked_documents).
        return super(PaymentTransaction, self.with_context(portal_sent_message=True))._log_sent_message()

    def _log_message_on_linked_documents(self, message):
        # EXTENDS account_payment: a payment of several invoices (P10). Its start is ONE note on the
        # customer company's chatter listing its invoices, not a note on each invoice. why: stock posts
        # it on each invoice, so starting a payment of 200 invoices wrote 200 notes (1 s, then 123 ms
        # as a batch, against 21 ms for one invoice; issue 16). Its later messages (received, payment
        # posted: the trace on each invoice) go to each invoice in one batch of notes, as its payment
        # is created in one go, instead of one message_post an invoice (about 6 queries each).
        self.ensure_one()
        invoices = self._get_invoices_to_notify()
        if len(invoices) <= 1:
            return super()._log_message_on_linked_documents(message)
        super(PaymentTransaction, self.with_context(portal_invoices_logged=True))._log_message_on_linked_documents(
            message
        )
        author = self.env.user.partner_id if self.env.uid == SUPERUSER_ID else self.partner_id  # as stock
        if self.env.context.get('portal_sent_message'):
            body = Markup('%s<br/>%s') % (
                message,
                self.env._("Invoices of this payment: %(invoices)s", invoices=', '.join(invoices.mapped('name'))),
            )
            self.partner_id.commercial_partner_id._message_log(body=body, author_id=author.id)
        else:
            invoices._message_log_batch(bodies=dict.fromkeys(invoices.ids, escape(message)), author_id=author.id)
        return None

    def _get_invoices_to_notify(self):
        # EXTENDS account_payment: none while _log_message_on_linked_documents logs them in one batch.
        if self.env.context.get('portal_invoices_logged'):
            return self.env['account.move']
        return super()._get_invoices_to_notify()

    @api.model
    def _check_portal_bank_payment_allowed(self, vals):
        """Bank debits (ACH, SEPA...) only for customers allowed to pay via bank account."""
        if not vals.get('payment_method_id') or not vals.get('partner_id'):
            return
        payment_method = self.env['payment.method'].sudo().browse(vals['payment_method_id'])
        partner = self.env['res.partner'].sudo().browse(vals['partner_id'])
        if (
            payment_method.primary_payment_method_id.code or payment_method.code
        ) in BANK_DEBIT_METHOD_CODES and not partner.commercial_partner_id.portal_allow_bank_payment:
            raise UserError(self.env._("Paying via bank account is not enabled for your account."))

    def action_portal_cancel_manual(self):
        """Cancel pending payments of manual providers (a bank transfer the customer never sent),
        which otherwise block online payment of their invoices for good (P4). The reason, naming
        who cancelled, is logged on the invoices and kept on the transaction."""
        if not self.env.user.has_group('account.group_account_invoice'):
            raise AccessError(self.env._("Only billing users can cancel a pending payment."))
        self.check_access('write')
        refused = self.filtered(lambda tx: tx.state != 'pending' or tx.provider_code not in MANUAL_PROVIDER_CODES)
        if refused:
            raise UserError(
                self.env._(
                    "Only pending payments by bank transfer (manual payment providers) can be cancelled here, "
                    "not %(references)s.",
                    references=", ".join(refused.mapped('reference')),
                )
            )
        self._set_canceled(
            state_message=self.env._(
                "Cancelled by %(user)s: the payment never arrived. The customer can pay online again.",
                user=self.env.user.name,
            )
        )
        # why not stock's message of a cancelled transaction: payment_custom logs none for its
        # providers, and stock's names the customer as its author.
        for tx in self:
            for invoice in tx.invoice_ids:
                invoice.message_post(
                    body=self.env._(
                        "%(user)s cancelled the pending payment %(reference)s of %(amount)s (%(provider)s): it never "
                        "arrived. The customer can pay this invoice online again.",
                        user=self.env.user.name,
                        reference=tx.reference,
                        provider=tx.provider_id.name,
                        amount=format_amount(self.env, tx.amount, tx.currency_id),
                    ),
                    subtype_xmlid='mail.mt_note',
                )
        return True

    # ------------------------------------------------------------
    # P6: the business is told of a customer's payment, pending and done
    # ------------------------------------------------------------

    def _update_state(self, allowed_states, target_state, state_message):
        # EXTENDS payment: once per change of state (super() returns only the transactions it changed).
        transactions = super()._update_state(allowed_states, target_state, state_message)
        if target_state in ('pending', 'done'):
            transactions.filtered(lambda tx: tx.operation in PORTAL_PAYMENT_OPERATIONS)._notify_portal_payment(
                target_state
            )
        return transactions

    def _notify_portal_payment(self, state):
        """Notify the business of these payments (P6): on the invoice or order paid, or for a payment of
        several invoices once on the customer, naming them (not one notification an invoice)."""
        subtype = f'customer_portal.mt_portal_payment_{state}'
        for tx in self.sudo():
            documents = tx.invoice_ids or tx.sale_order_ids
            names = ', '.join(documents.mapped('display_name'))  # a draft invoice has no name yet
            target = documents if len(documents) == 1 else tx.partner_id.commercial_partner_id

            def body(record, tx=tx, names=names, state=state):
                values = {
                    'name': tx.partner_id.name,
                    'amount': format_amount(record.env, tx.amount, tx.currency_id),
                    'documents': names,
                    'reference': tx.reference,
                }
                if state == 'pending':
                    return record.env._(
                        "%(name)s started a payment of %(amount)s for %(documents)s (%(reference)s): it is pending.",
                        **values,
                    )
                return record.env._("%(name)s paid %(amount)s for %(documents)s (%(reference)s).", **values)

            target._notify_portal_activity(subtype, body, author=tx.partner_id)

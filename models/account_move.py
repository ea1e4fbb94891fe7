from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.customer_portal.models.payment_transaction import PORTAL_PAYMENT_OPERATIONS, PORTAL_PENDING_TX_STATES

# Payment states of an invoice whose "Allow Partial Payment" no longer changes.
PORTAL_PAID_STATES = ('paid', 'in_payment', 'reversed')
# Payment states of an invoice with an amount left to pay ("unpaid" in the portal's code).
PORTAL_UNPAID_STATES = ('not_paid', 'partial')


class AccountMove(models.Model):
    _name = 'account.move'
    _inherit = ['account.move', 'customer_portal.document.view.mixin', 'customer_portal.document.share.mixin']

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

    # The rules of the list's rows (C2, P10) as fields: computed for a whole page of invoices at once.
    portal_is_past_due = fields.Boolean(string="Past Due (Portal)", compute='_compute_portal_is_past_due')
    portal_is_payable = fields.Boolean(string="Payable in the Portal", compute='_compute_portal_is_payable')

    @api.depends('move_type', 'state', 'payment_state', 'invoice_date_due')
    def _compute_portal_is_past_due(self):
        past_due = self.filtered_domain(self._get_portal_past_due_domain())
        for move in self:
            move.portal_is_past_due = move in past_due

    @api.depends('move_type', 'state', 'commercial_partner_id', 'payment_state', 'amount_residual', 'currency_id')
    @api.depends_context('uid')
    def _compute_portal_is_payable(self):
        # By the current user (their company's invoices with something left to pay).
        payable = self._filter_portal_payable_by(self.env.user.partner_id)
        for move in self:
            move.portal_is_payable = move in payable

    @api.depends('transaction_ids.state')
    def _compute_portal_transaction_in_progress_ids(self):
        for invoice in self:
            invoice.portal_transaction_in_progress_ids = invoice.transaction_ids.filtered(
                lambda tx: tx.state in PORTAL_PENDING_TX_STATES and tx.operation in PORTAL_PAYMENT_OPERATIONS
            ).sorted('id', reverse=True)

    def _portal_view_recordable(self):
        # EXTENDS customer_portal: views of customer invoices and credit notes only (A6).
        return self.move_type in ('out_invoice', 'out_refund') and self.state == 'posted'

    def _portal_share_links_apply(self):
        # EXTENDS customer_portal: links per recipient for customer invoices and credit notes (issue 11).
        return self.move_type in ('out_invoice', 'out_refund') and self.state == 'posted'

    def _notify_get_recipients_groups(self, message, model_description, msg_vals=None):
        # EXTENDS account: each external recipient of a sent invoice gets a button with their own link
        # (issue 11), before stock's groups that give everyone the document's token.
        groups = super()._notify_get_recipients_groups(message, model_description, msg_vals=msg_vals)
        return self._portal_share_link_groups(message, msg_vals) + groups

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

    def _get_portal_pending_transaction(self):
        """The payment transaction in progress on this invoice (sudo), or an empty recordset."""
        self.ensure_one()
        pending = self.env['payment.transaction']._get_portal_pending_transactions(self)
        return pending.get(self.id, self.env['payment.transaction'].sudo())

    def _get_portal_payment_in_progress_message(self, tx=None):
        """The one sentence every refusal, page and list shows for the payment ``tx`` in progress
        on this invoice (P4), in the reader's language and timezone (those of this invoice's
        environment). Without ``tx``, the invoice's payment in progress, if any ('' when there is
        none)."""
        self.ensure_one()
        if tx is None:
            tx = self._get_portal_pending_transaction()
        return tx.with_env(self.env).sudo(tx.env.su)._get_portal_in_progress_message() if tx else ''

    def _has_to_be_paid(self):
        # EXTENDS account_payment: no Pay button while any payment is in progress (P4), manual
        # bank transfers included, nor for a contact who may not pay (A9).
        return (
            super()._has_to_be_paid()
            and not self._get_portal_pending_transaction()
            and self.env['res.partner']._portal_user_may('pay')
        )

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

    def _get_portal_status_badges(self, stock_state=False, retainer=False):
        """The status of this invoice-like document as every portal list and page shows it, in the
        same words: stock's /my/invoices, retainer invoices, credit notes (C2, C6). A list of
        ``(label, classes)``, one badge each.

        The state in stock's words (Paid, Processing Payment, Reversed, Waiting for Payment,
        Cancelled), then ours: Partially Paid, Overdue. A credit note is not paid but used: Closed,
        Partially Applied, Open.
        - ``stock_state``: the caller is stock's /my/invoices, whose own badge already says the state;
        - ``retainer``: the document is a retainer invoice.
        Worked out here rather than in a sub-template: a t-call per row of a long list cost as much
        as the rest of the row's status.
        """
        self.ensure_one()
        badges = []
        settled = self.currency_id.is_zero(self.amount_residual)
        if stock_state:
            if self.move_type == 'out_refund':
                badges.append((self.env._("Credit Note"), 'text-bg-secondary'))
        elif self.state == 'cancel':
            badges.append((self.env._("Cancelled"), 'text-bg-warning'))
        elif self.state == 'posted' and self.move_type == 'out_refund':
            if settled:
                badges.append((self.env._("Closed"), 'text-bg-success o_cp_badge_closed'))
            elif self.payment_state == 'partial':
                badges.append((self.env._("Partially Applied"), 'text-bg-warning o_cp_badge_partially_applied'))
            else:
                badges.append((self.env._("Open"), 'text-bg-info o_cp_badge_open'))
        elif self.state == 'posted':
            if settled:
                badges.append((self.env._("Paid"), 'text-bg-success o_cp_badge_paid'))
            elif self.payment_state == 'in_payment':
                badges.append((self.env._("Processing Payment"), 'text-bg-info'))
            elif self.payment_state == 'reversed':
                badges.append((self.env._("Reversed"), 'text-bg-success'))
            else:
                badges.append((self.env._("Waiting for Payment"), 'text-bg-info o_cp_badge_waiting'))
        if self.move_type in ('out_invoice', 'out_receipt') and self.state == 'posted':
            if self.payment_state == 'partial':
                badges.append((self.env._("Partially Paid"), 'text-bg-warning o_cp_badge_partial'))
            if self.portal_is_past_due:
                badges.append((self.env._("Overdue"), 'text-bg-danger o_cp_badge_overdue'))
        if retainer:
            badges.append((self.env._("Retainer"), 'text-bg-light o_cp_badge_retainer'))
        return badges

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
            values['portal_bulk_payable'] = not message and self.portal_is_payable
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

    def _get_portal_payment_amount(self, amount, allowed_amounts=()):
        """Validate the amount a customer asks to pay on this invoice and return it.

        Accepted: the amount due (early payment discount included), the next installment, the
        residual, an amount set by the business (payment link) and, on invoices that allow
        partial payment, any amount with 0 < amount <= residual.
        """
        self.ensure_one()
        currency = self.currency_id
        amount = currency.round(self.env['payment.transaction']._parse_portal_payment_amount(amount))
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
        pending = self.env['payment.transaction']._get_portal_pending_transactions(invoices)
        in_progress = [
            (invoice, invoice._get_portal_payment_in_progress_message(pending[invoice.id]))
            for invoice in invoices
            if invoice.id in pending
        ]
        return invoices.filtered(lambda inv: inv.id not in pending), in_progress

    def _check_portal_payable_by(self, partner):
        """Refuse the whole set unless ``partner`` may pay all of it in one payment: each invoice
        payable by them (``_filter_portal_payable_by``), one currency, one company, none with a
        payment in progress (P4); nor unless the contact may pay (A9)."""
        partner._check_portal_permission('pay')
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
        self.env['payment.transaction']._check_portal_no_payment_in_progress(self)

    def _get_portal_bulk_payment_amount(self):
        """The amount of one payment of all these invoices, computed from their residuals."""
        return self.currency_id.round(sum(self.mapped('amount_residual')))

from odoo import api, models
from odoo.tools import SQL

# What a customer reads for the state of one of their payments (Payments Made, C4).
PORTAL_PAYMENT_STATES = ('in_process', 'paid')


def clean_portal_reference(*parts):
    """A reference made of ``parts`` joined by " - ", without the empty parts (and their
    separators) that stock leaves in payment memos ("S00012 - Anna - ")."""
    pieces = [piece.strip() for part in parts if part for piece in part.split(' - ')]
    return ' - '.join(dict.fromkeys(piece for piece in pieces if piece))


class AccountPayment(models.Model):
    # portal.mixin: the access token of the payment page's chatter (portal users cannot read payments,
    # so portal.message_thread reads and posts with the token, as on an invoice opened from its link).
    _name = 'account.payment'
    _inherit = ['account.payment', 'portal.mixin']

    def _compute_access_url(self):
        # EXTENDS portal: the Payments Made page of the payment (C4).
        result = super()._compute_access_url()
        for payment in self:
            payment.access_url = f'/my/payments/{payment.id}'
        return result

    @api.model
    def _get_portal_payment_domain(self, partner, partner_ids=None):
        """Payments a portal user of ``partner`` may see: every customer payment received from
        their company (the commercial partner and its contacts), online or recorded offline
        (``partner_ids``: ``partner._get_portal_ledger_partner_ids()`` when the caller has it already)."""
        return [
            ('partner_id', 'in', partner_ids or partner._get_portal_ledger_partner_ids()),
            ('partner_type', '=', 'customer'),
            ('payment_type', '=', 'inbound'),
            ('state', 'in', PORTAL_PAYMENT_STATES),
        ]

    @api.model
    def _get_portal_last_payment(self, partner, company=None, partner_ids=None):
        """The latest payment received from ``partner``'s company (Last Payment Made, C1), among
        the payments ``_get_portal_payment_domain`` lets its portal users see (``partner_ids``:
        ``partner._get_portal_ledger_partner_ids()`` when the caller has it already)."""
        partner.ensure_one()
        company = company or self.env.company
        domain = self._get_portal_payment_domain(partner, partner_ids=partner_ids) + [('company_id', '=', company.id)]
        # With what the Last Payment Made card shows, in the same query.
        field_names = [
            'amount',
            'currency_id',
            'date',
            'memo',
            'move_id',
            'name',
            'partner_id',
            'payment_transaction_id',
        ]
        return self.search_fetch(domain, field_names, order='date desc, id desc', limit=1)

    @api.model
    def _get_portal_invoice_payment_domain(self):
        """Payments of invoices (the "Invoice Payments" filter of Payments Made, C4): linked to an
        invoice or reconciled with one; the others are advances and unapplied payments."""
        return [
            '|',
            ('invoice_ids.move_type', 'in', ('out_invoice', 'out_receipt')),
            (
                'move_id.line_ids.matched_debit_ids.debit_move_id.move_id.move_type',
                'in',
                ('out_invoice', 'out_receipt'),
            ),
        ]

    def _get_report_base_filename(self):
        # The portal's report download names the file after it (Payments Made receipt, C4).
        self.ensure_one()
        return self.env._("Payment Receipt - %s", self.name)

    def _get_portal_invoice_allocations(self):
        """What each payment of ``self`` paid on each invoice of its customer company: the amount
        applied (payment currency), not the invoice total (Payments Made, C4).

        One query for the whole page. A payment without journal entry linked to one invoice
        (journals without outstanding account) applies its amount to it; linked to several,
        the amount of each is not known (``None``).

        :return: {payment id: [{'invoice': account.move (sudo), 'amount': float or None}, ...]}
        """
        allocations = {payment.id: [] for payment in self}
        if not self:
            return allocations
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            SELECT payment.id AS payment_id,
                   invoice_line.move_id AS invoice_id,
                   SUM(CASE WHEN part.credit_move_id = line.id THEN part.credit_amount_currency
                            ELSE part.debit_amount_currency END) AS amount
              FROM account_payment payment
              JOIN account_move_line line ON line.move_id = payment.move_id
              JOIN account_account account ON account.id = line.account_id
                                           AND account.account_type = 'asset_receivable'
              JOIN account_partial_reconcile part ON line.id IN (part.credit_move_id, part.debit_move_id)
              JOIN account_move_line invoice_line
                ON invoice_line.id = CASE WHEN part.credit_move_id = line.id THEN part.debit_move_id
                                          ELSE part.credit_move_id END
              JOIN account_move invoice ON invoice.id = invoice_line.move_id
             WHERE payment.id IN %(ids)s
               AND invoice.move_type IN ('out_invoice', 'out_receipt')
          GROUP BY payment.id, invoice_line.move_id
            """,
                ids=tuple(self.ids),
            )
        )
        rows = self.env.cr.dictfetchall()
        # Records taken from the recordsets, not browse(id): a record browsed alone reads its fields
        # alone, one query per invoice and payment of the page.
        payments = {payment.id: payment for payment in self}
        invoices_sudo = self.env['account.move'].sudo().browse({row['invoice_id'] for row in rows})
        # What the pages show of them, read at once: the ORM's first read of an invoice reads every one of
        # its 200-odd columns, and building that query alone took about 1 ms of the home's request.
        invoices_sudo.fetch(['name', 'move_type', 'commercial_partner_id', 'invoice_date', 'date', 'access_token'])
        invoices = {invoice.id: invoice for invoice in invoices_sudo}
        for row in rows:
            payment = payments[row['payment_id']]
            invoice = invoices[row['invoice_id']]
            if invoice.commercial_partner_id == payment.partner_id.commercial_partner_id:
                allocations[payment.id].append({'invoice': invoice, 'amount': payment.currency_id.round(row['amount'])})
        for payment in self.filtered(lambda pay: not pay.move_id):
            customer = payment.partner_id.commercial_partner_id
            linked = payment.sudo().invoice_ids.filtered(
                lambda inv, customer=customer: (
                    inv.move_type in ('out_invoice', 'out_receipt') and inv.commercial_partner_id == customer
                )
            )
            allocations[payment.id] = [
                {'invoice': invoice, 'amount': payment.amount if len(linked) == 1 else None} for invoice in linked
            ]
        for payment_allocations in allocations.values():
            payment_allocations.sort(
                key=lambda alloc: (alloc['invoice'].invoice_date or alloc['invoice'].date, alloc['invoice'].id)
            )
        return allocations

    def _get_portal_state_label(self):
        """The state of the payment in a customer's words."""
        self.ensure_one()
        if self.state == 'paid':
            return self.env._("Paid")
        return self.env._("Processing")

    def _get_portal_method_name(self):
        """How the customer paid, as they know it: the payment method and provider of an online
        payment ("Card", "Wire Transfer"), a payment method line named by the business, or the
        kind of journal of a payment recorded by hand ("Bank transfer", "Cash") rather than the
        technical "Manual Payment"."""
        self.ensure_one()
        tx = self.payment_transaction_id
        if tx:
            method = tx.payment_method_id.name
            provider = tx.provider_id.name
            if method and provider and method != provider:
                return self.env._("%(method)s (%(provider)s)", method=method, provider=provider)
            return method or provider
        line = self.payment_method_line_id
        if line.payment_provider_id:
            return line.payment_provider_id.name
        if line.name and line.name != line.payment_method_id.name:
            return line.name  # named by the business
        if not line or line.payment_method_id.code == 'manual':
            if self.journal_id.type == 'cash':
                return self.env._("Cash")
            if self.journal_id.type == 'bank':
                return self.env._("Bank transfer")
            return self.journal_id.name
        return line.name

    def _get_portal_reference(self):
        """The reference of the payment for the customer: its memo, or the transaction and provider
        references of an online payment, without the empty parts stock leaves in the memo
        ("S00012 - Anna - ")."""
        self.ensure_one()
        tx = self.payment_transaction_id
        if tx:
            return clean_portal_reference(tx.reference, tx.provider_reference) or self.name
        return clean_portal_reference(self.memo) or self.name

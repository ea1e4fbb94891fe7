from odoo import api, models


class AccountPayment(models.Model):
    _inherit = 'account.payment'

    @api.model
    def _get_portal_payment_domain(self, partner):
        """Payments a portal user of ``partner`` may see: every customer payment received from
        their company (the commercial partner and its contacts), online or recorded offline."""
        return [
            ('partner_id', 'child_of', partner.commercial_partner_id.id),
            ('partner_type', '=', 'customer'),
            ('payment_type', '=', 'inbound'),
            ('state', 'in', ('in_process', 'paid')),
        ]

    @api.model
    def _get_portal_invoice_payment_domain(self):
        """Payments of invoices (the "Invoice Payments" filter of Payments Made, C4): linked to an
        invoice or reconciled with one; the others are advances and unapplied payments."""
        return [
            '|',
            ('invoice_ids.move_type', 'in', ('out_invoice', 'out_receipt')),
            ('move_id.line_ids.matched_debit_ids.debit_move_id.move_id.move_type', 'in', ('out_invoice', 'out_receipt')),
        ]

    def _get_portal_paid_invoices(self):
        """The customer invoices (down-payment invoices included) this payment paid, for its
        portal page: only those of the payment's customer company."""
        self.ensure_one()
        return self.reconciled_invoice_ids.filtered(
            lambda inv: inv.move_type in ('out_invoice', 'out_receipt')
            and inv.commercial_partner_id == self.partner_id.commercial_partner_id
        ).sorted(lambda inv: (inv.invoice_date or inv.date, inv.id))

    def _get_report_base_filename(self):
        # The portal's report download names the file after it (Payments Made receipt, C4).
        self.ensure_one()
        return self.env._("Payment Receipt - %s", self.name)

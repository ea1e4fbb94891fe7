from odoo import api, models
from odoo.exceptions import UserError

from odoo.addons.customer_portal.models.account_move import PORTAL_PAYMENT_OPERATIONS
from odoo.addons.customer_portal.models.payment_method import BANK_DEBIT_METHOD_CODES


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
                self.env['account.move'].sudo().browse(invoice_ids)._lock_for_portal_payment()
        return super().create(vals_list)

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

from odoo import api, models

# Payment methods that debit the customer's bank account (C2): offered only to customers allowed
# to pay via bank account. Cards and the other methods are offered to everyone.
BANK_DEBIT_METHOD_CODES = frozenset(
    {
        'ach_direct_debit',
        'bacs_direct_debit',
        'becs_direct_debit',
        'sepa_direct_debit',
        'bank_account',
        'pad',
    }
)


class PaymentMethod(models.Model):
    _inherit = 'payment.method'

    @api.model
    def _get_compatible_payment_methods(self, provider_ids, partner_id, *args, **kwargs):
        # EXTENDS payment: no bank debit for customers not allowed to pay via bank account (C2).
        payment_methods = super()._get_compatible_payment_methods(provider_ids, partner_id, *args, **kwargs)
        if not any(pm.code in BANK_DEBIT_METHOD_CODES for pm in payment_methods):
            return payment_methods  # nothing to refuse: no query for the partner (each portal page asks)
        partner = self.env['res.partner'].sudo().browse(partner_id).exists()
        if not partner.commercial_partner_id.portal_allow_bank_payment:
            payment_methods = payment_methods.filtered(lambda pm: pm.code not in BANK_DEBIT_METHOD_CODES)
        return payment_methods

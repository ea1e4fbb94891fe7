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

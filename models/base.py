# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo import models


class Base(models.AbstractModel):
    _inherit = 'base'

    def get_base_url(self):
        # EXTENDS base (and website's override): a record of a company that has a portal domain (P19) has its links
        # built on that domain. Invitations and sign-up links (auth_signup's res.partner), documents' share and
        # access links (portal.mixin, portal.share), payment links (payment.link.wizard) and the mail templates
        # all ask the record for its base URL, so this one place covers every link sent to a customer.
        if len(self) == 1:
            company = self.sudo()._get_portal_domain_company()
            portal_base_url = company and company._get_portal_base_url()
            if portal_base_url:
                return portal_base_url
        return super().get_base_url()

    def _get_portal_domain_company(self):
        """The company whose customers this record's links are sent to (its company_id), or an empty recordset."""
        field = self._fields.get('company_id')
        if field is not None and field.type == 'many2one' and field.comodel_name == 'res.company':
            return self.company_id
        return self.env['res.company']

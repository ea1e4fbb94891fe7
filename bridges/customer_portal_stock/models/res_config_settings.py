# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    portal_show_shipments = fields.Boolean(related='company_id.portal_show_shipments', readonly=False)

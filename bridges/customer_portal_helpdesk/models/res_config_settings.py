# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    portal_allow_tickets = fields.Boolean(related='company_id.portal_allow_tickets', readonly=False)
    portal_ticket_upload_max_mb = fields.Integer(related='company_id.portal_ticket_upload_max_mb', readonly=False)

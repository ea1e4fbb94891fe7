# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    portal_view_subscriptions = fields.Boolean(related='company_id.portal_view_subscriptions', readonly=False)

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    portal_view_timesheets = fields.Boolean(related='company_id.portal_view_timesheets', readonly=False)

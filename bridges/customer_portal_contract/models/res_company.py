# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = 'res.company'

    portal_view_subscriptions = fields.Boolean(
        string="Allow Customers to View Subscriptions",
        help="Customers see their contracts (lines, recurrence, next invoice date, state) and the invoices "
        "made from them, and filter their invoices by subscription.",
    )

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = 'res.company'

    portal_view_timesheets = fields.Boolean(
        string="Allow Customers to View Projects and Timesheets",
        help="Customers see their projects with each task's logged, billed and unbilled hours, the time "
        "entries with their billing status, and approve or decline the time entries submitted to them.",
    )

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = 'res.company'

    portal_allow_tickets = fields.Boolean(
        string="Allow Customers to Raise Support Tickets",
        help="Customers raise support tickets on the portal, with attachments and optionally about one of their "
        "invoices or orders, talk with the support team on them and see their open and closed tickets.",
    )
    portal_ticket_upload_max_mb = fields.Integer(
        string="Largest Ticket Attachment (MB)",
        default=10,
        help="The largest file a customer may attach to a support ticket from the portal.",
    )

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = 'res.company'

    # On by default: stock Odoo already shows customers the delivery orders of their orders.
    portal_show_shipments = fields.Boolean(
        string="Show Shipments",
        default=True,
        help="Customers see the delivery status of their orders and each shipment: its state, dates, contents, "
        "carrier and tracking link, and its delivery slip.",
    )

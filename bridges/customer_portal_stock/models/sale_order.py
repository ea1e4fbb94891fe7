# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo import api, models


class SaleOrder(models.Model):
    _inherit = 'sale.order'

    @api.model
    def _get_portal_delivery_statuses(self):
        """What the customer reads of sale_stock's delivery status of an order (C18), by its value, in the
        order of the Sales Orders filter. Odoo records when goods leave the warehouse, not when they arrive:
        a done delivery order is "shipped", as on stock's own portal page of an order."""
        _ = self.env._
        return {
            'pending': _("Nothing shipped"),
            'started': _("Being prepared"),
            'partial': _("Partly shipped"),
            'full': _("Shipped"),
        }

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo import api, fields, models

# The states of a shipment that is still to leave the warehouse: "on the way" to the customer.
ON_THE_WAY_STATES = ('waiting', 'confirmed', 'assigned')


class StockPicking(models.Model):
    _inherit = 'stock.picking'

    portal_shipment_state = fields.Selection(
        [
            ('preparation', "Preparation"),
            ('ready', "Ready to ship"),
            ('shipped', "Shipped"),
            ('cancelled', "Cancelled"),
        ],
        string="Shipment State",
        compute='_compute_portal_shipment_state',
        help="What the customer reads on the portal: Preparation while the goods are awaited or picked, Ready "
        "to ship once reserved, Shipped once the delivery order is done.",
    )

    @api.depends('state')
    def _compute_portal_shipment_state(self):
        states = {'assigned': 'ready', 'done': 'shipped', 'cancel': 'cancelled'}
        for picking in self:
            picking.portal_shipment_state = states.get(picking.state, 'preparation')

    @api.model
    def _get_portal_shipment_domain(self, partner):
        """The shipments a portal contact sees (C18): the delivery orders of the orders of its customer company
        (the orders the portal lists, sale's own domain), confirmed or later."""
        return [
            ('picking_type_code', '=', 'outgoing'),
            ('state', '!=', 'draft'),
            ('sale_id.message_partner_ids', 'child_of', [partner.commercial_partner_id.id]),
        ]

    @api.model
    def _get_portal_on_the_way_domain(self):
        return [('state', 'in', ON_THE_WAY_STATES)]

    def _get_portal_moves(self):
        """What the shipment carries: its moves that are not cancelled, with the quantity the customer reads
        (the quantity shipped once done, else the quantity planned)."""
        self.ensure_one()
        done = self.state == 'done'
        return [
            (move, move.quantity if done else move.product_uom_qty)
            for move in self.move_ids
            if move.state != 'cancel' and (not done or move.quantity)
        ]

    def _get_portal_tracking_links(self):
        """The tracking references of the shipment, each with the carrier's tracking link (stock_delivery's
        ``carrier_tracking_url``, one link per package for carriers that give several): [(reference, url)],
        url False when the carrier gives none, or when it is not a web address (never a javascript: link)."""
        self.ensure_one()
        if not self.carrier_tracking_ref:
            return []
        several = self.get_multiple_carrier_tracking()
        if isinstance(several, list) and all(isinstance(link, list | tuple) and len(link) == 2 for link in several):
            links = several
        else:
            links = [(self.carrier_tracking_ref, self.carrier_tracking_url)]
        return [
            (reference, url if isinstance(url, str) and url.lower().startswith(('https://', 'http://')) else False)
            for reference, url in links
        ]

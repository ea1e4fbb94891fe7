# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from datetime import timedelta

from odoo import api, fields, models

# The tracking reference of each demo shipment: the demo makes them once.
DEMO_TRACKING_REFS = ('PX-100200301', 'PX-100200302', 'PX-100200517')


class CustomerPortalDemo(models.AbstractModel):
    _inherit = 'customer_portal.demo'

    @api.model
    def _generate_shipments(self):
        """Northwind's orders shipped, partly shipped and not shipped yet (C18): an order shipped in two parcels
        a month ago, an order shipped in part last week with the rest to come, an order to ship in three days;
        the shipped parcels carried by Parcel Express with a tracking reference."""
        company = self.env.ref('base.main_company')
        self = self.with_company(company).with_context(tracking_disable=True, mail_notrack=True, mail_create_nolog=True)
        Picking = self.env['stock.picking']
        if Picking.search_count([('carrier_tracking_ref', 'in', DEMO_TRACKING_REFS)], limit=1) or not self.env[
            'account.journal'
        ].search_count([('company_id', '=', company.id), ('type', '=', 'sale')], limit=1):
            return
        customer = self.env.ref('customer_portal.partner_northwind')
        carrier = self.env.ref('customer_portal_stock.carrier_parcel_express')
        desk = self.env.ref('customer_portal.product_desk')
        arm = self.env.ref('customer_portal_stock.product_monitor_arm')

        shipped = self._sale_order(customer, 32, [(desk, 2), (arm, 2)])
        shipped.action_confirm()
        first = self._ship_demo_picking(shipped.picking_ids, carrier, DEMO_TRACKING_REFS[0], 30, {desk: 2, arm: 0})
        self._ship_demo_picking(first.backorder_ids, carrier, DEMO_TRACKING_REFS[1], 28)

        partly = self._sale_order(customer, 10, [(desk, 4), (arm, 4)])
        partly.action_confirm()
        rest = self._ship_demo_picking(partly.picking_ids, carrier, DEMO_TRACKING_REFS[2], 7, {desk: 2, arm: 4})
        rest.backorder_ids.scheduled_date = fields.Datetime.now() + timedelta(days=5)

        to_ship = self._sale_order(customer, 1, [(arm, 3)])
        to_ship.action_confirm()
        to_ship.picking_ids.scheduled_date = fields.Datetime.now() + timedelta(days=3)

    def _ship_demo_picking(self, picking, carrier, reference, days_ago, quantities=None):
        """Ship ``picking`` by ``carrier`` under ``reference`` ``days_ago`` days ago: the ``quantities`` given by
        product (all of it otherwise), the rest left in a backorder. Returns the shipped picking."""
        picking.write({'carrier_id': carrier.id, 'carrier_tracking_ref': reference})
        for move in picking.move_ids:
            move.quantity = (quantities or {}).get(move.product_id, move.product_uom_qty)
            move.picked = True
        picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
        picking.date_done = fields.Datetime.now() - timedelta(days=days_ago)
        return picking

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo.tests import tagged

from .common import ShipmentCase


@tagged('post_install', '-at_install')
class TestShipmentModels(ShipmentCase):
    """The setting, the delivery status and shipment state the customer reads, the contents and tracking links."""

    def test_setting_on_by_default(self):
        """A new company shows shipments (stock already shows delivery orders); Settings switch them off."""
        company = self.env['res.company'].create({'name': "New Co"})
        self.assertTrue(company.portal_show_shipments)
        settings = self.env['res.config.settings'].with_company(company).create({'portal_show_shipments': False})
        settings.execute()
        self.assertFalse(company.portal_show_shipments)

    def test_delivery_status_follows_pickings(self):
        """sale_stock's delivery status, in the customer's words: nothing shipped, partly shipped, shipped; none
        for an order of services only."""
        statuses = self.env['sale.order']._get_portal_delivery_statuses()
        order = self._new_order(self.customer)
        self.assertEqual(order.delivery_status, 'pending')
        self.assertEqual(statuses[order.delivery_status], "Nothing shipped")
        backorder = self._ship(order.picking_ids, 'TRK-1', {self.widget: 1, self.gadget: 0})
        self.assertTrue(backorder)
        self.assertEqual(order.delivery_status, 'partial')
        self.assertEqual(statuses[order.delivery_status], "Partly shipped")
        self._ship(backorder, 'TRK-2')
        self.assertEqual(order.delivery_status, 'full')
        self.assertEqual(statuses[order.delivery_status], "Shipped")
        services = self._new_order(self.customer, [(self.service, 1)])
        self.assertFalse(services.delivery_status)

    def test_shipment_state_and_contents(self):
        """Ready to ship once reserved, then Shipped with the quantities shipped; the rest planned in the backorder."""
        order = self._new_order(self.customer)
        picking = order.picking_ids
        self.assertEqual(picking.portal_shipment_state, 'ready')
        self.assertEqual(
            {move.product_id: quantity for move, quantity in picking._get_portal_moves()},
            {self.widget: 4.0, self.gadget: 2.0},
        )
        backorder = self._ship(picking, 'TRK-1', {self.widget: 3, self.gadget: 0})
        self.assertEqual(picking.portal_shipment_state, 'shipped')
        self.assertEqual(
            [(move.product_id, quantity) for move, quantity in picking._get_portal_moves()], [(self.widget, 3.0)]
        )
        self.assertEqual(
            {move.product_id: quantity for move, quantity in backorder._get_portal_moves()},
            {self.widget: 1.0, self.gadget: 2.0},
        )
        backorder.action_cancel()
        self.assertEqual(backorder.portal_shipment_state, 'cancelled')

    def test_tracking_links(self):
        """The carrier's tracking link of the reference; none without a reference; never a link that is not a web
        address."""
        picking = self._new_order(self.customer).picking_ids
        self.assertEqual(picking._get_portal_tracking_links(), [])
        picking.write({'carrier_id': self.carrier.id, 'carrier_tracking_ref': 'TRK-42'})
        self.assertEqual(
            picking._get_portal_tracking_links(), [('TRK-42', 'https://track.example.com/parcel?ref=TRK-42')]
        )
        self.carrier.tracking_url = 'javascript:alert(<shipmenttrackingnumber>)'
        picking.invalidate_recordset(['carrier_tracking_url'])
        self.assertEqual(picking._get_portal_tracking_links(), [('TRK-42', False)])
        self.carrier.tracking_url = False
        picking.invalidate_recordset(['carrier_tracking_url'])
        self.assertEqual(picking._get_portal_tracking_links(), [('TRK-42', False)])

    def test_shipment_domain(self):
        """The delivery orders of the company's orders, a colleague's included; not another company's."""
        own = self._new_order(self.contact).picking_ids
        colleagues = self._new_order(self.colleague).picking_ids
        others = self._new_order(self.other_contact).picking_ids
        Picking = self.env['stock.picking']
        found = Picking.search(Picking._get_portal_shipment_domain(self.contact))
        self.assertEqual(found & (own | colleagues | others), own | colleagues)
        as_portal = Picking.with_user(self.portal_user).search(Picking._get_portal_shipment_domain(self.contact))
        self.assertEqual(as_portal, own | colleagues, "the record rules let the portal user search them")
        self.assertFalse(Picking.with_user(self.portal_user).search([('id', 'in', others.ids)]))

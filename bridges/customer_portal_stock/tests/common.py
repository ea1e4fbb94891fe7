# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from contextlib import contextmanager
from unittest.mock import patch

from odoo import Command
from odoo.tests import TransactionCase

from odoo.addons.customer_portal.tests.common import PortalHttpCase, PortalUserCommon

PDF_MAGIC = b'%PDF'
TRACKING_URL = 'https://track.example.com/parcel?ref=<shipmenttrackingnumber>'


class ShipmentCommon(PortalUserCommon):
    """Two customer companies, each with a portal contact (Acme with two); orders of goods confirmed, their
    delivery orders shipped in full or in part through stock's own validation, by a carrier with a tracking
    link; shipments shown (C18) unless a test turns them off."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.portal_show_shipments = True
        cls._setup_two_customers("Acme Shipping", 'stk')
        cls.widget = cls.env['product.product'].create(
            {'name': "Blue Widget", 'type': 'consu', 'list_price': 10.0, 'taxes_id': [Command.clear()]}
        )
        cls.gadget = cls.env['product.product'].create(
            {'name': "Red Gadget", 'type': 'consu', 'list_price': 25.0, 'taxes_id': [Command.clear()]}
        )
        cls.service = cls.env['product.product'].create(
            {'name': "Setup Service", 'type': 'service', 'list_price': 50.0, 'taxes_id': [Command.clear()]}
        )
        delivery_product = cls.env['product.product'].create({'name': "Express Delivery", 'type': 'service'})
        cls.carrier = cls.env['delivery.carrier'].create(
            {
                'name': "Express Parcels",
                'product_id': delivery_product.id,
                'delivery_type': 'fixed',
                'fixed_price': 5.0,
                'tracking_url': TRACKING_URL,
            }
        )

    @classmethod
    def _new_order(cls, partner, lines=None):
        """A confirmed order of ``lines`` ([(product, quantity)], by default 4 widgets and 2 gadgets)."""
        lines = lines or [(cls.widget, 4), (cls.gadget, 2)]
        order = cls.env['sale.order'].create(
            {
                'partner_id': partner.id,
                'order_line': [
                    Command.create({'product_id': product.id, 'product_uom_qty': quantity})
                    for product, quantity in lines
                ],
            }
        )
        order.action_confirm()
        return order

    @classmethod
    def _ship(cls, picking, reference=None, quantities=None):
        """Validate ``picking``: the ``quantities`` given by product (all otherwise), the rest in a backorder;
        by the carrier under ``reference`` when given. Returns the backorder, if any."""
        if reference:
            picking.write({'carrier_id': cls.carrier.id, 'carrier_tracking_ref': reference})
        for move in picking.move_ids:
            move.quantity = (quantities or {}).get(move.product_id, move.product_uom_qty)
            move.picked = True
        picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
        return picking.backorder_ids


class ShipmentCase(ShipmentCommon, TransactionCase):
    """The shipment data, for the models' tests."""


class ShipmentHttpCase(ShipmentCommon, PortalHttpCase):
    """The shipment data, for the routes' tests."""

    @contextmanager
    def _real_pdf(self):
        """Reports rendered as PDF by wkhtmltopdf during the block, as outside tests (in tests Odoo renders a
        report as HTML unless asked otherwise). wkhtmltopdf fetches the report's styles from ``report.url``: the
        test server serves one request at a time, so it is sent to a closed port (a PDF without styles) instead
        of waiting for the request that renders it."""
        self.env['ir.config_parameter'].sudo().set_param('report.url', 'http://127.0.0.1:9')
        Report = type(self.env['ir.actions.report'])
        render = Report._render_qweb_pdf

        def render_pdf(report, *args, **kwargs):
            return render(report.with_context(force_report_rendering=True), *args, **kwargs)

        with patch.object(Report, '_render_qweb_pdf', render_pdf):
            yield

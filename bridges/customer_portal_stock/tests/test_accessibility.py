# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo.tests import tagged

from odoo.addons.customer_portal.tests import test_accessibility

from ..models.customer_portal_demo import DEMO_TRACKING_REFS


@tagged('post_install', '-at_install', 'accessibility')
class TestShipmentAccessibility(test_accessibility.TestAccessibility):
    """The shipment pages (C18) of the demo customer pass the core addon's axe audit, at each width."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.portal_show_shipments = True
        pickings = cls.env['stock.picking'].search([('carrier_tracking_ref', 'in', DEMO_TRACKING_REFS)])
        cls.demo_orders = pickings.sale_id

    def _customer_pages(self):
        # EXTENDS customer_portal: only the pages of this bridge, with the demo shipments on them.
        self.assertEqual(len(self.demo_orders), 2, "the demo has an order shipped and one partly shipped")
        return [
            '/my',
            '/my/shipments',
            '/my/shipments?filterby=on_the_way',
            '/my/orders?filterby=partial',
            *(f'/my/orders/{order.id}' for order in self.demo_orders),
        ]

    # Odoo runs the test methods a class defines itself, not those it inherits (the core addon's audits).
    def test_shipment_pages_phone(self):
        """The shipment pages pass the accessibility audit at phone size."""
        self._audit_customer_pages('phone')

    def test_shipment_pages_desktop(self):
        """The shipment pages pass the accessibility audit at desktop size."""
        self._audit_customer_pages('desktop')

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from odoo.addons.customer_portal.tests import test_accessibility


@tagged('post_install', '-at_install', 'accessibility')
class TestSubscriptionAccessibility(test_accessibility.TestAccessibility):
    """The subscription pages (P15) of the demo customer pass the core addon's axe audit, at each width."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.portal_view_subscriptions = True
        cls.demo_contract = cls.env.ref('customer_portal_contract.contract_northwind_support')

    def _customer_pages(self):
        # EXTENDS customer_portal: only the pages of this bridge, with the demo subscription and its invoice.
        self.assertTrue(self.demo_contract._get_related_invoices(), "the demo subscription has an invoice")
        return ['/my/contracts', f'/my/contracts/{self.demo_contract.id}', '/my/invoices?filterby=subscription']

    # Odoo runs the test methods a class defines itself, not those it inherits (the core addon's audits).
    def test_subscription_pages_phone(self):
        """The subscription pages pass the accessibility audit at phone size."""
        self._audit_customer_pages('phone')

    def test_subscription_pages_desktop(self):
        """The subscription pages pass the accessibility audit at desktop size."""
        self._audit_customer_pages('desktop')

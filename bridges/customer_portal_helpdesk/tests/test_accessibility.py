# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from odoo.addons.customer_portal.tests import test_accessibility


@tagged('post_install', '-at_install', 'accessibility')
class TestHelpdeskAccessibility(test_accessibility.TestAccessibility):
    """The support ticket pages (P17, C17) of the demo customer pass the core addon's axe audit, at each width."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.portal_allow_tickets = True
        cls.open_ticket = cls.env.ref('customer_portal_helpdesk.ticket_northwind_open')

    def _customer_pages(self):
        # EXTENDS customer_portal: only the pages of this bridge, with the demo tickets (one with a staff reply).
        self.assertTrue(self.open_ticket.portal_last_reply_date, "the demo ticket has a reply")
        return [
            '/my',
            '/my/tickets',
            '/my/tickets?tab=closed',
            f'/my/ticket/{self.open_ticket.id}',
            '/new/ticket',
        ]

    # Odoo runs the test methods a class defines itself, not those it inherits (the core addon's audits).
    def test_ticket_pages_phone(self):
        """The ticket pages pass the accessibility audit at phone size."""
        self._audit_customer_pages('phone')

    def test_ticket_pages_desktop(self):
        """The ticket pages pass the accessibility audit at desktop size."""
        self._audit_customer_pages('desktop')

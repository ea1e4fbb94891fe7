# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.customer_portal.tests.common import PortalHttpCase, PortalUserCommon

PDF = b'%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n'


class HelpdeskCommon(PortalUserCommon):
    """Two customer companies, each with portal contacts; a support team with an agent; tickets allowed (P17)
    unless a test turns them off; an invoice and an order of each customer to raise tickets about."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                'portal_allow_tickets': True,
                'helpdesk_mgmt_portal_select_category': True,
                'helpdesk_mgmt_portal_category_id_required': False,
            }
        )
        cls.agent = new_test_user(
            cls.env,
            login='hd_agent',
            name="Alex Agent",
            email='alex@support.example',
            groups='helpdesk_mgmt.group_helpdesk_user',
        )
        cls.team = cls.env['helpdesk.ticket.team'].create(
            {'name': "Test Support Team", 'sequence': -1, 'user_ids': [Command.set(cls.agent.ids)]}
        )
        cls.category = cls.env['helpdesk.ticket.category'].create({'name': "Test Billing", 'sequence': -1})
        cls.stage_new = cls.env.ref('helpdesk_mgmt.helpdesk_ticket_stage_new')
        cls.stage_done = cls.env.ref('helpdesk_mgmt.helpdesk_ticket_stage_done')
        cls._setup_two_customers("Acme Helpdesk Co", 'hd')
        cls.product = cls.env['product.product'].create(
            {'name': "Support Widget", 'type': 'consu', 'list_price': 30.0, 'taxes_id': [Command.clear()]}
        )
        cls.invoice = cls._new_invoice(cls.customer)
        cls.other_invoice = cls._new_invoice(cls.other_customer)
        cls.order = cls._new_order(cls.customer)
        cls.other_order = cls._new_order(cls.other_customer)

    @classmethod
    def _new_invoice(cls, partner, post=True):
        invoice = cls.env['account.move'].create(
            {
                'move_type': 'out_invoice',
                'partner_id': partner.id,
                'invoice_line_ids': [Command.create({'product_id': cls.product.id, 'quantity': 1, 'price_unit': 30.0})],
            }
        )
        if post:
            invoice.action_post()
        return invoice

    @classmethod
    def _new_order(cls, partner):
        order = cls.env['sale.order'].create(
            {'partner_id': partner.id, 'order_line': [Command.create({'product_id': cls.product.id})]}
        )
        order.action_confirm()
        return order

    @classmethod
    def _new_ticket(cls, partner, name, closed=False, **values):
        return cls.env['helpdesk.ticket'].create(
            {
                'name': name,
                'description': f"<p>{name} description</p>",
                'partner_id': partner.id,
                'team_id': cls.team.id,
                'stage_id': (cls.stage_done if closed else cls.stage_new).id,
                **values,
            }
        )


class HelpdeskCase(HelpdeskCommon, TransactionCase):
    """The helpdesk data, for the models' tests."""


class HelpdeskHttpCase(HelpdeskCommon, PortalHttpCase):
    """The helpdesk data, for the routes' tests."""

    def _new_ticket_form(self):
        """The new-ticket form's CSRF token, read from the form as a browser does."""
        page = self.url_open('/new/ticket')
        self.assertEqual(page.status_code, 200)
        return self._csrf_token(page.text)

    def _submit(self, files=(), **values):
        """POST the new-ticket form (multipart, with ``files``: (name, bytes) pairs); the response."""
        data = {
            'csrf_token': self._new_ticket_form(),
            'subject': "Printer invoice question",
            'description': "Line one\nLine two",
            'category': str(self.category.id),
            **values,
        }
        return self.url_open(
            '/submitted/ticket',
            data=data,
            files=[('attachment', (name, content, 'application/octet-stream')) for name, content in files],
        )

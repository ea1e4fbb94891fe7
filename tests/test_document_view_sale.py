import base64
from datetime import timedelta

from odoo import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import file_open

from .common_portal_account import PortalAccountCommon


@tagged('post_install', '-at_install')
class TestDocumentViewSaleOrder(PortalAccountCommon):
    """A6 and P6 on quotations and sales orders: the customer's views, the mark starting over when a
    changed quotation is sent again; the salesperson told of an acceptance and a decline."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller = new_test_user(
            cls.env,
            login='a6_so_seller',
            name='Sue Seller',
            email='sue@seller.example',
            groups='sales_team.group_sale_salesman',
            notification_type='inbox',
        )
        cls.quotation = cls.env['sale.order'].create(
            {
                'partner_id': cls.customer.id,
                'user_id': cls.seller.id,
                'require_signature': True,
                'require_payment': False,
                'order_line': [Command.create({'product_id': cls.service.id, 'product_uom_qty': 2})],
            }
        )
        cls.quotation.action_quotation_sent()
        cls.View = cls.env['customer_portal.document.view']

    def _views(self, document):
        return self.View.search([('res_model', '=', document._name), ('res_id', '=', document.id)])

    def _activity(self, record, subtype_xmlid):
        return self.env['mail.message'].search(
            [
                ('model', '=', record._name),
                ('res_id', '=', record.id),
                ('subtype_id', '=', self.env.ref(subtype_xmlid).id),
            ]
        )

    def test_quotation_views(self):
        """The owner's view is recorded and marked, an internal user's is not; the order filter finds it."""
        self._login(self.env.ref('base.user_admin'))
        self._page(self.quotation.get_portal_url())
        self.assertFalse(self._views(self.quotation))
        self._login(self.portal_user)
        self._page(self.quotation.get_portal_url())
        view = self._views(self.quotation)
        self.assertEqual((view.partner_id, view.via), (self.contact_a, 'portal'))
        self.quotation.invalidate_recordset()
        self.assertTrue(self.quotation.portal_viewed)
        self.assertIn('Viewed by Alice Acme on', self.quotation.portal_view_label)
        self.assertEqual(
            self.env['sale.order'].search([('id', '=', self.quotation.id), ('portal_viewed', '=', True)]),
            self.quotation,
        )

    def test_revised_quotation_sent_again(self):
        """Changed after it was sent and sent again from the send wizard: the mark starts over."""
        self._login(self.portal_user)
        self._page(self.quotation.get_portal_url())
        self.quotation.portal_sent_date = self.env.cr.now() - timedelta(days=1)
        self.quotation.order_line.product_uom_qty = 3
        self.quotation.with_context(mark_so_as_sent=True).message_post(body="Revised quotation")
        self.quotation.invalidate_recordset()
        self.assertEqual(self.quotation.portal_view_version, 1)
        self.assertFalse(self.quotation.portal_viewed)
        self.assertEqual(self.quotation.portal_view_count, 1)

    def test_accepted_notifies_the_salesperson(self):
        """P6 on: the customer signs the quotation in the portal; the salesperson is told, once."""
        self.company.portal_activity_notify = True
        self._login(self.portal_user)
        with file_open('web/static/img/logo.png', 'rb') as image:
            signature = base64.b64encode(image.read()).decode()
        answer = self.make_jsonrpc_request(
            f'/my/orders/{self.quotation.id}/accept',
            {'name': 'Alice Acme', 'signature': signature, 'access_token': self.quotation.access_token},
        )
        self.assertNotIn('error', answer)
        self.quotation.invalidate_recordset()
        self.assertEqual(self.quotation.state, 'sale')
        [message] = self._activity(self.quotation, 'customer_portal.mt_portal_quotation_accepted')
        self.assertEqual(message.notification_ids.res_partner_id, self.seller.partner_id)
        self.assertIn('accepted the quotation', message.body)
        self.assertIn(self.quotation.name, message.body)

    def test_business_confirmation_is_not_customer_activity(self):
        self.company.portal_activity_notify = True
        self.quotation.with_user(self.seller).action_confirm()
        self.assertFalse(self._activity(self.quotation, 'customer_portal.mt_portal_quotation_accepted'))

    def test_declined_notifies_the_salesperson(self):
        self.company.portal_activity_notify = True
        self.quotation.with_user(self.portal_user).sudo()._action_cancel()
        self.quotation.with_user(self.portal_user)._on_portal_declined()
        [message] = self._activity(self.quotation, 'customer_portal.mt_portal_quotation_declined')
        self.assertEqual(message.notification_ids.res_partner_id, self.seller.partner_id)
        self.assertEqual(message.author_id, self.contact_a)
        self.assertIn('declined the quotation', message.body)

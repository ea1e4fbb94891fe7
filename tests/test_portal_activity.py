from odoo import Command
from odoo.tests import TransactionCase, new_test_user, tagged

from .common import PortalUserCommon


@tagged('post_install', '-at_install')
class TestPortalActivityNotify(PortalUserCommon, TransactionCase):
    """P6: ``_notify_portal_activity`` notifies the salesperson, else the company's named users, through
    Odoo's notifications (each user's email / inbox preference), only while the company's switch is on,
    never the customer who acted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.seller = new_test_user(
            cls.env,
            login='p6_seller',
            name='Sam Seller',
            email='sam@seller.example',
            groups='sales_team.group_sale_salesman,account.group_account_invoice',
            notification_type='email',
        )
        cls.manager = new_test_user(
            cls.env,
            login='p6_manager',
            name='Mia Manager',
            email='mia@manager.example',
            groups='sales_team.group_sale_manager',
            notification_type='inbox',
        )
        cls.customer = cls.env['res.partner'].create(
            {'name': 'Notified Customer Co', 'is_company': True, 'email': 'co@customer.example'}
        )
        cls.contact = cls.env['res.partner'].create(
            {'name': 'Carla Customer', 'parent_id': cls.customer.id, 'email': 'carla@customer.example'}
        )
        cls.portal_user = cls._new_portal_user('p6_carla', cls.contact)
        product = cls.env['product.product'].create({'name': 'Consulting', 'type': 'service', 'list_price': 100.0})
        cls.order = cls.env['sale.order'].create(
            {
                'partner_id': cls.customer.id,
                'user_id': cls.seller.id,
                'order_line': [Command.create({'product_id': product.id, 'product_uom_qty': 1})],
            }
        )
        cls.orphan_order = cls.order.copy({'user_id': False})
        cls.company.portal_activity_user_ids = cls.manager
        cls.subtype = cls.env.ref('customer_portal.mt_portal_viewed')

    def _notify(self, record, user=None, body="Viewed by the customer"):
        record = record.with_user(user or self.portal_user).with_context(mail_notify_force_send=False)
        return record._notify_portal_activity('customer_portal.mt_portal_viewed', body)

    def test_off_by_default_and_nothing_sent(self):
        """Off (the default of a new company), nobody is notified and nothing is posted."""
        self.assertFalse(self.env['res.company'].create({'name': 'P6 New Co'}).portal_activity_notify)
        self.company.portal_activity_notify = False
        before = self.order.message_ids
        self.assertFalse(self._notify(self.order))
        self.assertEqual(self.order.message_ids, before)

    def test_salesperson_notified_by_email(self):
        """On, the salesperson (email preference) gets an email; the message is an internal notification
        authored by the customer, addressed to the salesperson only."""
        self.company.portal_activity_notify = True
        message = self._notify(self.order)
        self.assertEqual(len(message), 1)
        self.assertEqual(message.message_type, 'notification')
        self.assertEqual(message.subtype_id, self.subtype)
        self.assertTrue(message.subtype_id.internal)
        self.assertEqual(message.author_id, self.contact)
        self.assertEqual(message.partner_ids, self.seller.partner_id)
        notification = message.notification_ids.filtered(lambda n: n.res_partner_id == self.seller.partner_id)
        self.assertEqual(notification.notification_type, 'email')
        mail = self.env['mail.mail'].sudo().search([('mail_message_id', '=', message.id)])
        self.assertEqual(mail.recipient_ids, self.seller.partner_id, "the salesperson prefers emails")
        self.assertIn('Viewed by the customer', mail.body_html)

    def test_named_users_notified_in_inbox(self):
        """Without a salesperson, the users named in Settings are notified; an inbox user gets an Odoo
        notification and no email."""
        self.company.portal_activity_notify = True
        message = self._notify(self.orphan_order)
        self.assertEqual(message.partner_ids, self.manager.partner_id)
        notification = message.notification_ids.filtered(lambda n: n.res_partner_id == self.manager.partner_id)
        self.assertEqual(notification.notification_type, 'inbox')
        self.assertFalse(notification.is_read)
        mails = self.env['mail.mail'].sudo().search([('mail_message_id', '=', message.id)])
        self.assertNotIn(self.manager.partner_id, mails.recipient_ids, "the manager prefers Odoo's inbox")

    def test_customer_never_notified(self):
        """The customer who acted, their colleagues following the document and the document's partner
        are never notified (internal subtype); the acting user is left out even when named."""
        self.company.portal_activity_notify = True
        self.order.message_subscribe(partner_ids=(self.customer | self.contact).ids)
        notified = self._notify(self.order).notification_ids.res_partner_id
        self.assertIn(self.seller.partner_id, notified)
        self.assertFalse(notified & (self.customer | self.contact | self.portal_user.partner_id))
        # An internal user acting on a document they sell is not told about their own action.
        self.assertFalse(self._notify(self.order, user=self.seller))

    def test_token_visitor_author(self):
        """A token visitor (public user) is shown as the document's customer."""
        self.company.portal_activity_notify = True
        public = self.env.ref('base.public_user')
        message = self._notify(self.order, user=public)
        self.assertEqual(message.author_id, self.customer)
        self.assertEqual(message.partner_ids, self.seller.partner_id)

    def test_follower_follows_by_subtype(self):
        """Another employee following the document gets a kind of activity only once they ticked it."""
        self.company.portal_activity_notify = True
        self.order.message_subscribe(partner_ids=self.manager.partner_id.ids)
        notified = self._notify(self.order).notification_ids.res_partner_id
        self.assertIn(self.seller.partner_id, notified)
        self.assertNotIn(self.manager.partner_id, notified, "not a default subtype")
        follower = self.order.message_follower_ids.filtered(lambda f: f.partner_id == self.manager.partner_id)
        follower.subtype_ids |= self.subtype
        notified = self._notify(self.order).notification_ids.res_partner_id
        self.assertIn(self.manager.partner_id, notified)

    def test_per_company(self):
        """The switch of the document's company applies, not the current user's."""
        other = self.env['res.company'].create({'name': 'P6 Other Co', 'portal_activity_notify': True})
        self.seller.company_ids |= other
        partner = self.env['res.partner'].create(
            {'name': 'Other Co Client', 'company_id': other.id, 'user_id': self.seller.id}
        )
        self.company.portal_activity_notify = False
        self.assertEqual(self._notify(partner).partner_ids, self.seller.partner_id, "its salesperson (user_id)")
        self.assertFalse(self._notify(self.order))

    def test_callable_body_in_recipient_language(self):
        """A callable body is built once per record, in its recipients' language."""
        self.env['res.lang']._activate_lang('fr_FR')
        self.seller.partner_id.lang = 'fr_FR'
        self.company.portal_activity_notify = True
        message = self._notify(self.order, body=lambda record: f"{record.env.lang}: {record.name}")
        self.assertIn(f"fr_FR: {self.order.name}", message.body)

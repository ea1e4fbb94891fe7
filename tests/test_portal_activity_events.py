from odoo.tests import new_test_user, tagged
from odoo.tools import format_amount, html2plaintext

from .common_payment import PortalPaymentCommon
from .common_portal_account import PortalAccountCommon


class ActivityAssertions:
    def _activity(self, record, subtype_xmlid):
        """The P6 notifications of kind ``subtype_xmlid`` posted on ``record``."""
        return (
            self.env['mail.message']
            .sudo()
            .search(
                [
                    ('model', '=', record._name),
                    ('res_id', '=', record.id),
                    ('subtype_id', '=', self.env.ref(subtype_xmlid).id),
                ]
            )
        )


@tagged('post_install', '-at_install')
class TestPortalActivityPayments(ActivityAssertions, PortalPaymentCommon):
    """P6 on payments: pending and done, once per change of state; a payment of several invoices once
    on the customer; and P7, staff messages emailed to the customer's contacts only while it is on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller = new_test_user(
            cls.env,
            login='p6_pay_seller',
            name='Sam Seller',
            email='sam@seller.example',
            groups='account.group_account_invoice',
            notification_type='email',
        )
        cls.company.portal_activity_notify = True
        cls.customer.user_id = cls.seller
        cls.invoices = cls._create_invoices(cls.customer, [100.0, 200.0, 300.0], invoice_user_id=cls.seller.id)

    def test_pending_then_done_once_each(self):
        invoice = self.invoices[0]
        tx = self._create_tx(invoice, state='pending')
        pending = self._activity(invoice, 'customer_portal.mt_portal_payment_pending')
        self.assertEqual(len(pending), 1)
        self.assertEqual(pending.partner_ids, self.seller.partner_id)
        self.assertEqual(pending.author_id, self.customer)
        self.assertIn(tx.reference, pending.body)
        self.assertIn(format_amount(self.env, 100.0, tx.currency_id), html2plaintext(pending.body))
        tx._set_pending()  # the same state again (a second webhook): no second notification
        self.assertEqual(len(self._activity(invoice, 'customer_portal.mt_portal_payment_pending')), 1)
        tx._set_done()
        done = self._activity(invoice, 'customer_portal.mt_portal_payment_done')
        self.assertEqual(len(done), 1)
        self.assertIn('paid', done.body)
        self.assertEqual(
            done.notification_ids.filtered(lambda n: n.res_partner_id == self.seller.partner_id).notification_type,
            'email',
        )

    def test_off_no_notification(self):
        self.company.portal_activity_notify = False
        invoice = self.invoices[1]
        self._create_tx(invoice, state='done')
        self.assertFalse(self._activity(invoice, 'customer_portal.mt_portal_payment_done'))

    def test_several_invoices_once_on_the_customer(self):
        tx = self._create_tx(self.invoices, state='done')
        for invoice in self.invoices:
            self.assertFalse(self._activity(invoice, 'customer_portal.mt_portal_payment_done'))
        [message] = self._activity(self.customer, 'customer_portal.mt_portal_payment_done')
        self.assertEqual(message.partner_ids, self.seller.partner_id)
        for name in self.invoices.mapped('name') + [tx.reference]:
            self.assertIn(name, message.body)

    # ------------------------------------------------------------
    # P7 "Email customers when I comment"
    # ------------------------------------------------------------

    def _staff_post(self, invoice, subtype_xmlid='mail.mt_comment', **kwargs):
        return (
            invoice.with_user(self.seller)
            .with_context(mail_notify_force_send=False)
            .message_post(body="About your invoice", message_type='comment', subtype_xmlid=subtype_xmlid, **kwargs)
        )

    def _emailed(self, message):
        return message.sudo().notification_ids.filtered(lambda n: n.notification_type == 'email').res_partner_id

    def test_staff_message_emailed_only_while_on(self):
        invoice = self.invoices[2]
        invoice.message_subscribe(partner_ids=self.contact_1.ids)
        self.assertTrue(self.company.portal_comment_email, "on by default, as stock")
        self.assertIn(self.contact_1, self._emailed(self._staff_post(invoice)))
        self.company.portal_comment_email = False
        message = self._staff_post(invoice)
        self.assertNotIn(self.contact_1, self._emailed(message))
        self.assertFalse(message.sudo().notification_ids.filtered(lambda n: n.res_partner_id.partner_share))
        # Still a public message: the customer reads it in the portal chatter.
        self.assertFalse(message.sudo().is_internal)
        self.assertFalse(message.sudo().subtype_id.internal)
        portal_messages = (
            self.env['mail.message']
            .with_user(self.portal_user_1)
            .search([('model', '=', 'account.move'), ('res_id', '=', invoice.id), ('is_internal', '=', False)])
        )
        self.assertIn(message, portal_messages.sudo())
        # Sending the invoice itself (the send wizards give a layout) still emails the customer.
        sent = self._staff_post(invoice, email_layout_xmlid='mail.mail_notification_layout_with_responsible_signature')
        self.assertIn(self.contact_1, self._emailed(sent))

    def test_log_note_never_reaches_the_customer(self):
        invoice = self.invoices[2]
        invoice.message_subscribe(partner_ids=self.contact_1.ids)
        for value in (True, False):
            self.company.portal_comment_email = value
            note = self._staff_post(invoice, subtype_xmlid='mail.mt_note')
            self.assertNotIn(self.contact_1, note.sudo().notification_ids.res_partner_id)
            self.assertTrue(note.sudo().subtype_id.internal)


@tagged('post_install', '-at_install')
class TestPortalActivityRoutes(ActivityAssertions, PortalAccountCommon):
    """P6 through the portal: a customer's comment on an invoice, a change of their details."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller = new_test_user(
            cls.env,
            login='p6_route_seller',
            name='Sam Seller',
            email='sam@seller.example',
            groups='account.group_account_invoice',
            notification_type='inbox',
        )
        cls.company.portal_activity_notify = True
        cls.inv2.invoice_user_id = cls.seller
        cls.customer.user_id = cls.seller

    def _post(self, record, body):
        return self.make_jsonrpc_request(
            '/mail/message/post',
            {
                'thread_model': record._name,
                'thread_id': record.id,
                'post_data': {'body': body, 'message_type': 'comment', 'subtype_xmlid': 'mail.mt_comment'},
                'token': record._portal_ensure_token(),  # as the portal chatter sends it
            },
        )

    def test_customer_comment_notifies_the_salesperson(self):
        self._login(self.portal_user)
        self._post(self.inv2, 'Can we pay in two parts?')
        [activity] = self._activity(self.inv2, 'customer_portal.mt_portal_comment')
        self.assertEqual(activity.author_id, self.contact_a)
        self.assertEqual(activity.notification_ids.res_partner_id, self.seller.partner_id)
        self.assertEqual(activity.notification_ids.notification_type, 'inbox')
        self.assertIn('Can we pay in two parts?', activity.body)
        # Staff replying is no customer activity.
        self._login(self.env.ref('base.user_admin'))
        self._post(self.inv2, 'Yes you can')
        self.assertEqual(len(self._activity(self.inv2, 'customer_portal.mt_portal_comment')), 1)

    def test_comment_reaching_the_salesperson_is_not_doubled(self):
        """A salesperson following the invoice gets the comment itself, not a second notification."""
        self.inv2.message_subscribe(partner_ids=self.seller.partner_id.ids)
        self._login(self.portal_user)
        self._post(self.inv2, 'Question again')
        self.assertFalse(self._activity(self.inv2, 'customer_portal.mt_portal_comment'))

    def test_details_change_notifies(self):
        """/my/account: the fields the customer changed are named; saving unchanged details is quiet."""
        self._login(self.portal_user)
        self.contact_a.write(
            {
                'phone': '+1 555 0101',
                'street': '1 Main Street',
                'city': 'Springfield',
                'country_id': self.env.ref('base.us').id,
            }
        )
        page = self.url_open('/my/account')
        form = {
            'csrf_token': self._csrf_token(page.text),
            'name': self.contact_a.name,
            'email': self.contact_a.email,
            'phone': '+1 555 0199',
            'street': '1 Main Street',
            'city': 'Springfield',
            'zipcode': '',
            'country_id': str(self.env.ref('base.us').id),
        }
        self.assertEqual(self.url_open('/my/account', data=form).status_code, 200)
        self.assertEqual(self.contact_a.phone, '+1 555 0199')
        [activity] = self._activity(self.contact_a, 'customer_portal.mt_portal_profile_changed')
        self.assertIn('Phone', activity.body)
        self.assertNotIn('Street', activity.body)
        self.assertEqual(activity.notification_ids.res_partner_id, self.seller.partner_id)

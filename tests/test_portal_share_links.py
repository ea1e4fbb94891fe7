import hashlib
import json
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .test_portal_forward import PortalForwardCommon


@tagged('post_install', '-at_install')
class TestPortalShareLinks(PortalForwardCommon):
    """Issue 11, item 2: each recipient's own link, hashed, expiring, revocable, every opening logged;
    the document's own token refused when the company accepts only per-recipient links."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ShareLink = cls.env['customer_portal.share.link']
        cls.salesman = new_test_user(
            cls.env,
            login='cp_links_salesman',
            groups='sales_team.group_sale_salesman_all_leads,account.group_account_invoice,base.group_partner_manager',
        )

    def _new_link(self, document, email='carol@acme.example'):
        link, url = self.ShareLink._create_for_document(document, email, origin='send')
        return link, url, url.split('access_token=')[1]

    def test_token_per_recipient_hashed(self):
        """Each recipient has a token of their own; only its SHA-256 is stored."""
        link_a, url_a, token_a = self._new_link(self.inv1, 'a@acme.example')
        link_b, _url_b, token_b = self._new_link(self.inv1, 'b@acme.example')
        self.assertNotEqual(token_a, token_b)
        self.assertGreaterEqual(len(token_a), 40)
        self.assertTrue(url_a.startswith(self.inv1.get_base_url() + f'/my/invoices/{self.inv1.id}?access_token='))
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM customer_portal_share_link WHERE id IN %s", [(link_a.id, link_b.id)])
        rows = self.env.cr.fetchall()
        self.assertFalse([row for row in rows if any(token in str(row) for token in (token_a, token_b))])
        self.assertEqual(link_a.sudo().token_hash, hashlib.sha256(token_a.encode()).hexdigest())
        self.assertEqual(self.ShareLink._get_by_token('account.move', self.inv1.id, token_a), link_a)
        self.assertEqual(self.ShareLink._get_by_token('account.move', self.inv1.id, token_b).email, 'b@acme.example')
        # A token opens only its own document.
        self.assertFalse(self.ShareLink._get_by_token('account.move', self.inv2.id, token_a))
        self.assertFalse(self.ShareLink._get_by_token('account.move', self.inv1.id, 'x' + token_a))

    def test_expiry(self):
        """A link opens the document for the company's number of days, then no longer."""
        self.company.portal_share_link_days = 10
        with freeze_time('2026-01-01 12:00:00'):
            link, _url, token = self._new_link(self.inv1)
            self.assertEqual(link.expiry_date, fields.Datetime.to_datetime('2026-01-11 12:00:00'))
        with freeze_time('2026-01-11 11:59:00'):
            self.assertEqual(self.ShareLink._get_by_token('account.move', self.inv1.id, token), link)
            self.assertEqual(link.state, 'valid')
        with freeze_time('2026-01-11 12:00:01'):
            self.assertFalse(self.ShareLink._get_by_token('account.move', self.inv1.id, token))
            link.invalidate_recordset(['state'])
            self.assertEqual(link.state, 'expired')
        # Through the page: an expired link does not open the invoice.
        link.sudo().expiry_date = fields.Datetime.now() - timedelta(minutes=1)
        response = self.url_open(f'/my/invoices/{self.inv1.id}?access_token={token}', allow_redirects=False)
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(self.inv1.name, response.text)
        self.assertFalse(link.open_ids)

    def test_open_log_and_revoke(self):
        """Each opening is logged (when, IP) and counted; a revoked link no longer opens the document;
        only a user who may edit the document revokes its links."""
        link, _url, token = self._new_link(self.inv1)
        url = f'/my/invoices/{self.inv1.id}?access_token={token}'
        for __ in range(2):
            page = self.url_open(url)
            self.assertEqual(page.status_code, 200)
            self.assertIn(self.inv1.name, page.text)
        # The page's own preview frame is not another opening.
        self.assertEqual(self.url_open(url + '&report_type=html').status_code, 200)
        pdf = self.url_open(url + '&report_type=pdf&download=true')
        self.assertEqual(pdf.status_code, 200)
        self.assertIn(self.inv1.name, pdf.text)  # the report, as HTML in Odoo's test mode
        link.invalidate_recordset()
        self.assertEqual(link.open_count, 3)
        self.assertEqual(set(link.open_ids.mapped('ip_address')), {'127.0.0.1'})
        self.assertTrue(link.last_open_date)
        self.assertEqual(self.inv1.with_user(self.salesman).portal_share_link_count, 1)
        action = self.inv1.with_user(self.salesman).action_view_portal_share_links()
        self.assertEqual(self.env[action['res_model']].with_user(self.salesman).search(action['domain']), link)

        with self.assertRaises(AccessError):
            link.with_user(self.portal_user).action_revoke()
        link.with_user(self.salesman).action_revoke()
        self.assertEqual(link.state, 'revoked')
        response = self.url_open(url, allow_redirects=False)
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(self.inv1.name, response.text)
        link.invalidate_recordset()
        self.assertEqual(link.open_count, 3, "a refused opening is not an opening")

    def _chatter_text(self, params):
        """What the portal chatter answers a visitor asking for a document's messages with ``params``."""
        return self.url_open(
            '/mail/chatter_fetch', data=json.dumps({'params': params}), headers={'Content-Type': 'application/json'}
        ).text

    def test_recipient_reads_the_chatter(self):
        """The page's chatter answers the recipient's token as it answers the document's; a wrong or
        revoked token is refused."""
        self.inv1.message_post(body="Your invoice is ready", message_type='comment', subtype_xmlid='mail.mt_comment')
        link, _url, token = self._new_link(self.inv1)
        params = {'thread_model': 'account.move', 'thread_id': self.inv1.id, 'token': token}
        result = self.make_jsonrpc_request('/mail/chatter_fetch', params)
        bodies = ' '.join(str(m.get('body')) for m in result['data']['mail.message'])
        self.assertIn("Your invoice is ready", bodies)
        link.action_revoke()
        self.assertNotIn("Your invoice is ready", self._chatter_text(params))

    def test_stock_token_only_per_recipient_links(self):
        """The document's own token opens it until the company accepts only per-recipient links; then it
        is refused with a page asking for a new link, while a recipient's link and its page's PDF work."""
        stock_url = self.inv1.get_portal_url()
        page = self.url_open(stock_url)
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.inv1.name, page.text)
        self.inv1.message_post(body="Your invoice is ready", message_type='comment', subtype_xmlid='mail.mt_comment')
        chatter = {'thread_model': 'account.move', 'thread_id': self.inv1.id, 'token': self.inv1.access_token}
        self.assertIn("Your invoice is ready", self._chatter_text(chatter))

        self.company.portal_share_links_only = True
        self.assertNotIn("Your invoice is ready", self._chatter_text(chatter), "the chatter refuses it too")
        refused = self.url_open(stock_url)
        self.assertEqual(refused.status_code, 403)
        self.assertIn("This link no longer opens the document", refused.text)
        self.assertIn("for a new link", refused.text)
        self.assertNotIn(self.inv1.name, refused.text)
        pdf = self.url_open(self.inv1.get_portal_url(report_type='pdf', download=True))
        self.assertEqual(pdf.status_code, 403)
        self.assertNotIn(self.inv1.name, pdf.text)

        # A recipient's link opens it, and this browser then downloads its PDF as the page links it.
        _link, _url, token = self._new_link(self.inv1)
        page = self.url_open(f'/my/invoices/{self.inv1.id}?access_token={token}')
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.inv1.name, page.text)
        pdf = self.url_open(self.inv1.get_portal_url(report_type='pdf', download=True))
        self.assertEqual(pdf.status_code, 200)
        self.assertIn(self.inv1.name, pdf.text)
        # The page links its PDF with the recipient's own token, not the document's.
        self.assertIn(f'access_token={token}', page.text)
        self.assertNotIn(self.inv1.access_token, page.text)
        # Not another document of the customer.
        self.assertEqual(self.url_open(self.inv2.get_portal_url()).status_code, 403)

        # The customer's own users are never refused.
        self._login(self.portal_user)
        page = self.url_open(stock_url)
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.inv1.name, page.text)

        self.company.portal_share_links_only = False
        self.authenticate(None, None)
        self.assertEqual(self.url_open(self.inv2.get_portal_url()).status_code, 200)

    def test_send_gives_each_recipient_a_link(self):
        """Sending an invoice to the customer and to a colleague: each email's button is a link of its own."""
        self.inv1.with_user(self.salesman).with_context(mail_notify_force_send=False).message_post(
            body="Your invoice",
            message_type='comment',
            subtype_xmlid='mail.mt_comment',
            partner_ids=(self.customer | self.contact_b).ids,
        )
        links = self._links(self.inv1)
        self.assertEqual(links.partner_id, self.customer | self.contact_b)
        self.assertEqual(set(links.mapped('origin')), {'send'})
        for partner in self.customer | self.contact_b:
            mail = (
                self.env['mail.mail']
                .sudo()
                .search(
                    [
                        ('model', '=', 'account.move'),
                        ('res_id', '=', self.inv1.id),
                        ('recipient_ids', 'in', partner.ids),
                    ]
                )
            )
            self.assertEqual(len(mail), 1, partner.name)
            _url, token = self._token_of(mail)
            self.assertEqual(self.ShareLink._get_by_token('account.move', self.inv1.id, token).partner_id, partner)

    def test_share_wizard_gives_each_partner_a_link(self):
        """The back office's Share sends each invited partner their own link to the order."""
        wizard = (
            self.env['portal.share']
            .with_user(self.salesman)
            .with_context(active_model='sale.order', active_id=self.so1.id, mail_notify_force_send=False)
            .create({'partner_ids': [(6, 0, self.contact_b.ids)], 'note': 'Have a look'})
        )
        wizard.action_send_mail()
        link = self._links(self.so1)
        self.assertEqual(len(link), 1)
        self.assertEqual((link.partner_id, link.origin), (self.contact_b, 'share'))
        mail = self.env['mail.mail'].sudo().search([('model', '=', 'sale.order'), ('res_id', '=', self.so1.id)])
        self.assertTrue(mail)
        tokens = {self._token_of(m)[1] for m in mail}
        self.assertTrue(all(self.ShareLink._get_by_token('sale.order', self.so1.id, t) == link for t in tokens))

    def test_share_wizard_link_to_copy_with_per_recipient_links_only(self):
        """The Share wizard's link to copy: stock's link with the order's own token; with "Only Per-Recipient
        Links", which refuses that token, the order's page without a token, where its reader signs in."""

        def link_to_copy():
            return (
                self.env['portal.share']
                .with_user(self.salesman)
                .with_context(active_model='sale.order', active_id=self.so1.id)
                .new({})
                .share_link
            )

        self.so1._portal_ensure_token()
        self.assertIn(f'access_token={self.so1.access_token}', link_to_copy())
        self.company.portal_share_links_only = True
        link = link_to_copy()
        self.assertEqual(link, self.so1.get_base_url() + f'/my/orders/{self.so1.id}')
        self.assertNotIn(self.so1.access_token, link)

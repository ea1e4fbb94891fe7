# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""P14 "Identity verification for public links" (issue 11 item 3): the code's rules on the model,
every path to a document's content through real HTTP requests, and the Chromium tour."""

import base64
import json
import re
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import ChromeBrowser

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..models.customer_portal_identity_code import SESSION_KEY
from .common import PortalHttpCase

PDF_MAGIC = b'%PDF'
INVOICE_LINE = 'Quarterly Consulting Retainer'
ORDER_LINE = 'Garden Design Workshop'
CHATTER_NOTE = 'Our bank details changed: see attached'
CODE_RE = re.compile(r'o_cp_identity_code[^>]*>\s*(\d{6})\s*<')


class PortalIdentityCommon(AccountTestInvoicingCommon, PortalHttpCase):
    """A customer company with a posted invoice (its PDF attached) and a sent quotation, both with
    their stock link; the company verifies identities on public links."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data['company']
        cls.company.write({'portal_identity_check': True, 'email': 'billing@business.example'})
        cls.env['ir.config_parameter'].sudo().set_param('account_payment.enable_portal_payment', True)
        cls.customer = cls.env['res.partner'].create(
            {'name': 'Acme Identity Co', 'is_company': True, 'email': 'ap@acme-id.example'}
        )
        cls.contact = cls.env['res.partner'].create(
            {'name': 'Ada Acme', 'parent_id': cls.customer.id, 'email': 'ada@acme-id.example'}
        )
        cls.portal_user = cls._new_portal_user('acme_ada', cls.contact)
        cls.other_customer = cls.env['res.partner'].create({'name': 'Other Co', 'is_company': True})
        cls.other_user = cls._new_portal_user('other_otto', company=cls.company, parent_id=cls.other_customer.id)
        cls.invoice = cls.env['account.move'].create(
            {
                'move_type': 'out_invoice',
                'partner_id': cls.customer.id,
                'invoice_date': fields.Date.today(),
                'invoice_date_due': fields.Date.today() + timedelta(days=30),
                'invoice_line_ids': [
                    Command.create({'name': INVOICE_LINE, 'price_unit': 1234.5, 'tax_ids': [Command.clear()]})
                ],
            }
        )
        cls.invoice.action_post()
        cls.invoice.invoice_pdf_report_file = base64.b64encode(PDF_MAGIC + b'-1.4 ' + INVOICE_LINE.encode())
        cls.invoice._portal_ensure_token()
        cls.pdf = cls.invoice.invoice_pdf_report_id
        cls.invoice.message_post(body=CHATTER_NOTE, message_type='comment', subtype_xmlid='mail.mt_comment')
        cls.order = cls.env['sale.order'].create(
            {
                'partner_id': cls.customer.id,
                'order_line': [
                    Command.create(
                        {
                            'product_id': cls.product_a.id,
                            'name': ORDER_LINE,
                            'product_uom_qty': 1,
                            'price_unit': 800.0,
                            'tax_id': [Command.clear()],
                        }
                    )
                ],
            }
        )
        cls.order.action_quotation_sent()
        cls.order._portal_ensure_token()

    def _invoice_url(self, token=None, **params):
        query = '&'.join(f'{key}={value}' for key, value in params.items())
        return f'/my/invoices/{self.invoice.id}?access_token={token or self.invoice.access_token}&{query}'

    def _order_url(self, token=None, **params):
        query = '&'.join(f'{key}={value}' for key, value in params.items())
        return f'/my/orders/{self.order.id}?access_token={token or self.order.access_token}&{query}'

    def _last_code(self, email):
        mail = self.env['mail.mail'].sudo().search([('email_to', '=', email)], order='id desc', limit=1)
        self.assertTrue(mail, f"a code was emailed to {email}")
        match = CODE_RE.search(mail.body_html)
        self.assertTrue(match, "the email holds the code")
        return match[1]


@tagged('post_install', '-at_install')
class TestPortalIdentityCode(PortalIdentityCommon):
    """The code's rules (security.md "Codes sent by email"), on the model."""

    def setUp(self):
        super().setUp()
        self.Code = self.env['customer_portal.identity.code']
        self.token = self.invoice.access_token

    def _send(self):
        self.Code._send_code(self.invoice, self.token)
        return self._last_code('ap@acme-id.example')

    def test_code_sent_to_address_on_record_and_stored_hashed(self):
        """Six digits, emailed to the customer's address on record only, kept as a hash."""
        self.assertEqual(self.Code._send_code(self.invoice, self.token), 'ap@acme-id.example')
        code = self._last_code('ap@acme-id.example')
        mail = self.env['mail.mail'].sudo().search([('body_html', 'like', code)])
        self.assertEqual(mail.email_to, 'ap@acme-id.example')
        self.assertFalse(mail.recipient_ids, "nobody else receives it")
        self.assertIn(self.invoice.name, mail.subject)
        record = self.Code.sudo().search([('res_id', '=', self.invoice.id)])
        self.assertEqual(len(record), 1)
        self.env.cr.execute('SELECT code_hash FROM customer_portal_identity_code WHERE id = %s', record.ids)
        code_hash = self.env.cr.fetchone()[0]
        self.assertNotIn(code, code_hash)
        self.assertTrue(code_hash.startswith('$pbkdf2-sha512$'))
        self.assertTrue(self.Code._verify_code(self.invoice, self.token, code))

    def test_no_address_on_record(self):
        self.customer.email = False
        with self.assertRaisesRegex(UserError, 'no email address on record'):
            self.Code._send_code(self.invoice, self.token)

    def test_code_expires_after_ten_minutes(self):
        now = fields.Datetime.now()
        with freeze_time(now):
            code = self._send()
        with freeze_time(now + timedelta(minutes=10, seconds=1)), self.assertRaisesRegex(UserError, 'expired'):
            self.Code._verify_code(self.invoice, self.token, code)
        with freeze_time(now):
            code = self._send()
        with freeze_time(now + timedelta(minutes=9, seconds=50)):
            self.assertTrue(self.Code._verify_code(self.invoice, self.token, code))

    def test_code_works_once(self):
        code = self._send()
        self.assertTrue(self.Code._verify_code(self.invoice, self.token, code))
        with self.assertRaisesRegex(UserError, 'already used'):
            self.Code._verify_code(self.invoice, self.token, code)

    def test_five_tries_then_refused(self):
        code = self._send()
        wrong = f'{(int(code) + 1) % 1000000:06d}'
        for left in (4, 3, 2):
            with self.assertRaisesRegex(UserError, f'You have {left} more tries'):
                self.Code._verify_code(self.invoice, self.token, wrong)
        with self.assertRaisesRegex(UserError, 'You have 1 more try'):
            self.Code._verify_code(self.invoice, self.token, wrong)
        with self.assertRaisesRegex(UserError, 'Too many wrong codes'):
            self.Code._verify_code(self.invoice, self.token, wrong)
        with self.assertRaisesRegex(UserError, 'Too many wrong codes'):
            self.Code._verify_code(self.invoice, self.token, code)
        for malformed in ('', '12345', '1234567', 'abcdef', None, ['123456'], '１２３４５６'):
            with self.assertRaises(UserError):
                self.Code._verify_code(self.invoice, self.token, malformed)

    def test_three_sends_per_fifteen_minutes(self):
        now = fields.Datetime.now()
        with freeze_time(now):
            for _i in range(3):
                self._send()
            with self.assertRaisesRegex(UserError, 'Too many codes were sent'):
                self._send()
        with freeze_time(now + timedelta(minutes=15, seconds=1)):
            self.assertTrue(self._send())

    def test_latest_code_only(self):
        first = self._send()
        second = self._send()
        if first != second:
            with self.assertRaisesRegex(UserError, 'Wrong code'):
                self.Code._verify_code(self.invoice, self.token, first)
        self.assertTrue(self.Code._verify_code(self.invoice, self.token, second))

    def test_setting_and_signed_in_customer(self):
        """Only a visitor (or another customer) is asked; never a user of the customer; nobody when off."""
        public = self.env.ref('base.public_user')
        self.assertTrue(self.Code.with_user(public)._is_required(self.invoice))
        self.assertTrue(self.Code.with_user(self.other_user)._is_required(self.invoice))
        self.assertFalse(self.Code.with_user(self.portal_user)._is_required(self.invoice))
        self.assertFalse(self.Code._is_required(self.invoice))
        self.company.portal_identity_check = False
        self.assertFalse(self.Code.with_user(public)._is_required(self.invoice))

    def test_unlock_bound_to_one_session(self):
        public = self.env.ref('base.public_user')
        Code = self.Code.with_user(public)
        session, other_session = {}, {}
        Code._unlock(session, self.invoice)
        self.assertEqual(session[SESSION_KEY], [f'account.move,{self.invoice.id}'])
        self.assertFalse(Code._is_locked(self.invoice, session))
        self.assertTrue(Code._is_locked(self.invoice, other_session))
        self.assertTrue(Code._is_locked(self.order, session), "one document per code")


@tagged('post_install', '-at_install')
class TestPortalIdentityRoutes(PortalIdentityCommon):
    """The access matrix on every path to the content, with real requests."""

    def _content_paths(self):
        """(label, url, what the unlocked body holds)."""
        self.pdf.generate_access_token()  # as a chatter message hands it out
        return [
            ('invoice page', self._invoice_url(), self.invoice.name),
            ('invoice html', self._invoice_url(report_type='html'), INVOICE_LINE),
            ('invoice pdf', self._invoice_url(report_type='pdf'), INVOICE_LINE),
            ('invoice download', self._invoice_url(report_type='pdf', download='true'), PDF_MAGIC),
            ('attachment', f'/web/content/{self.pdf.id}?access_token={self.pdf.access_token}', PDF_MAGIC),
            (
                'attachment download',
                f'/web/content/{self.pdf.id}?download=true&access_token={self.pdf.access_token}',
                PDF_MAGIC,
            ),
            ('order page', self._order_url(), ORDER_LINE),
            ('order html', self._order_url(report_type='html'), ORDER_LINE),
            ('order pdf', self._order_url(report_type='pdf', download='true'), ORDER_LINE),
        ]

    def _chatter(self):
        """The text of the invoice's portal chatter, fetched with its link's token."""
        params = {'thread_model': 'account.move', 'thread_id': self.invoice.id, 'token': self.invoice.access_token}
        response = self.url_open(
            '/mail/chatter_fetch',
            data=json.dumps({'jsonrpc': '2.0', 'method': 'call', 'params': params}),
            headers={'Content-Type': 'application/json'},
        )
        self.assertEqual(response.status_code, 200)
        return response.text

    def _body(self, url):
        response = self.url_open(url)
        self.assertNotEqual(response.status_code, 500, url)
        return response

    def _assert_locked(self, url, label):
        response = self._body(url)
        self.assertNotIn(PDF_MAGIC, response.content, label)
        self.assertNotIn(INVOICE_LINE, response.text, label)
        self.assertNotIn(ORDER_LINE, response.text, label)
        return response

    def _post(self, path, document, **data):
        page = self.url_open('/web/login')
        data = {'csrf_token': self._csrf_token(page.text), 'access_token': document.access_token, **data}
        return self.url_open(path, data=data)

    def _unlock_invoice(self):
        self._post(f'/my/identity/invoice/{self.invoice.id}/send', self.invoice)
        code = self._last_code('ap@acme-id.example')
        return self._post(f'/my/identity/invoice/{self.invoice.id}/verify', self.invoice, code=code)

    def test_visitor_with_valid_token_sees_summary_only(self):
        page = self.url_open(self._invoice_url())
        self.assertEqual(page.status_code, 200)
        for text in (
            self.invoice.name,
            '1,234.50',
            self.company.name,
            'a•••@acme-id.example',
            'Email me a code',
        ):
            self.assertIn(text, page.text)
        self.assertNotIn('ap@acme-id.example', page.text, "the address is masked")
        self.assertIn('/payment/pay?invoice_id=%s' % self.invoice.id, page.text, "Pay is offered")
        for label, url, _unlocked in self._content_paths():
            with self.subTest(label):
                self._assert_locked(url, label)
        self.assertNotIn(CHATTER_NOTE, self._chatter(), "the chatter is content too")
        order_page = self.url_open(self._order_url())
        self.assertIn(self.order.name, order_page.text)
        self.assertIn('800.00', order_page.text)

    def test_private_attachment_refused_to_visitor_check_off_and_on(self):
        """The invoice's PDF by /web/content without its own token (none, or the invoice's): a 404 and none of
        its bytes, whether the company checks identities or not. The P14 guard reads the attachment first: it
        must not leave it cached for the visitor's request (stock's account TestPortalAttachment caught that)."""
        urls = [
            f'/web/content/{self.pdf.id}',
            f'/web/content/{self.pdf.id}?download=true',
            f'/web/content/ir.attachment/{self.pdf.id}/datas',
            f'/web/content/{self.pdf.id}?access_token={self.invoice.access_token}',
        ]
        for check in (False, True):
            self.company.portal_identity_check = check
            for url in urls:
                with self.subTest(check=check, url=url):
                    response = self.url_open(url)
                    self.assertEqual(response.status_code, 404)
                    self.assertNotIn(PDF_MAGIC, response.content)

    def test_visitor_with_wrong_token_gets_nothing(self):
        for label, url, _unlocked in self._content_paths():
            url = url.replace(self.invoice.access_token, 'wrong-token').replace(self.order.access_token, 'wrong-token')
            url = url.replace(f'access_token={self.pdf.access_token}', 'access_token=wrong')
            with self.subTest(label):
                response = self._assert_locked(url, label)
                self.assertNotIn('Email me a code', response.text)
        response = self._post(f'/my/identity/invoice/{self.invoice.id}/send', self.invoice, access_token='wrong')
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.env['customer_portal.identity.code'].sudo().search([]))

    def test_code_unlocks_every_path_in_this_session_only(self):
        response = self._unlock_invoice()
        self.assertEqual(response.status_code, 200)
        self.assertNotIn('Email me a code', response.text)
        self.assertIn('o_download_pdf', response.text, "the stock invoice page with its download")
        for label, url, unlocked in self._content_paths():
            if label.startswith('order'):
                continue
            with self.subTest(label):
                response = self._body(url)
                self.assertEqual(response.status_code, 200, label)
                self.assertIn(unlocked, response.content if isinstance(unlocked, bytes) else response.text, label)
        self.assertIn(CHATTER_NOTE, self._chatter())
        for label, url, _unlocked in self._content_paths():
            if label.startswith('order'):
                with self.subTest(label):
                    self._assert_locked(url, f"{label}: the code of the invoice opens only the invoice")
        # Another browser session is asked again.
        self.authenticate(None, None)
        for label, url, _unlocked in self._content_paths():
            with self.subTest(f'second session {label}'):
                self._assert_locked(url, label)
        self.assertNotIn(CHATTER_NOTE, self._chatter())

    def test_wrong_code_and_send_limit_on_the_page(self):
        self._post(f'/my/identity/invoice/{self.invoice.id}/send', self.invoice)
        code = self._last_code('ap@acme-id.example')
        wrong = f'{(int(code) + 1) % 1000000:06d}'
        response = self._post(f'/my/identity/invoice/{self.invoice.id}/verify', self.invoice, code=wrong)
        self.assertEqual(response.status_code, 400)
        self.assertIn('You have 4 more tries', response.text)
        self._assert_locked(self._invoice_url(report_type='pdf', download='true'), 'after a wrong code')
        self._post(f'/my/identity/invoice/{self.invoice.id}/send', self.invoice)
        self._post(f'/my/identity/invoice/{self.invoice.id}/send', self.invoice)
        response = self._post(f'/my/identity/invoice/{self.invoice.id}/send', self.invoice)
        self.assertEqual(response.status_code, 429)
        self.assertIn('Too many codes were sent', response.text)
        self.assertEqual(self.env['customer_portal.identity.code'].sudo().search_count([]), 3)

    def test_owner_signed_in_is_never_asked(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        for label, url, unlocked in self._content_paths():
            with self.subTest(label):
                response = self._body(url)
                self.assertEqual(response.status_code, 200, label)
                self.assertNotIn('Email me a code', response.text)
                self.assertIn(unlocked, response.content if isinstance(unlocked, bytes) else response.text, label)

    def test_another_customer_signed_in_is_asked(self):
        self.authenticate(self.other_user.login, self.other_user.login)
        for label, url, _unlocked in self._content_paths():
            with self.subTest(label):
                self._assert_locked(url, label)

    def test_pay_without_the_code(self):
        page = self.url_open(self._invoice_url())
        match = re.search(r'href="(/payment/pay\?[^"]+)"', page.text)
        self.assertTrue(match, "the locked page offers Pay")
        pay = self.url_open(match[1].replace('&amp;', '&'))
        self.assertEqual(pay.status_code, 200)
        self.assertIn('1,234.50', pay.text)
        self.assertNotIn('Email me a code', pay.text)
        self.assertNotIn(INVOICE_LINE, pay.text)

    def test_setting_off_is_stock(self):
        self.company.portal_identity_check = False
        for label, url, unlocked in self._content_paths():
            if label.startswith('attachment'):
                continue  # stock: an invoice's attachment is refused to a visitor without the document's rights
            with self.subTest(label):
                response = self._body(url)
                self.assertNotIn('Email me a code', response.text)
                self.assertIn(unlocked, response.content if isinstance(unlocked, bytes) else response.text, label)
        response = self._post(f'/my/identity/invoice/{self.invoice.id}/send', self.invoice)
        self.assertEqual(response.status_code, 404)


@tagged('post_install', '-at_install')
class TestPortalIdentityTour(PortalIdentityCommon):
    """In Chromium: a visitor opens the link, asks for the code, enters the one emailed (read from the
    outgoing mail here), and downloads the PDF."""

    def _tour(self, url, tour, shot):
        stop = ChromeBrowser.stop

        def stop_after_screenshot(browser):
            browser.take_screenshot(prefix=f'{shot}_').result(timeout=10)
            stop(browser)

        with patch.object(ChromeBrowser, 'stop', stop_after_screenshot):
            self.start_tour(url, tour)

    def test_visitor_enters_emailed_code_and_downloads_pdf(self):
        for size in ('390x844', '1366x768'):
            self.browser_size = size
            self._tour(self.invoice.get_portal_url(), 'customer_portal_identity_ask', f'identity_ask_{size}')
            code = self._last_code('ap@acme-id.example')
            self._tour(
                f'{self.invoice.get_portal_url()}#code={code}',
                'customer_portal_identity_enter',
                f'identity_open_{size}',
            )
            self.env['customer_portal.identity.code'].sudo().search([]).unlink()  # the send limit


@tagged('post_install', '-at_install')
class TestPortalIdentityShareLinks(PortalIdentityCommon):
    """A recipient's own link (issue 11 item 2): the code goes to that recipient's address; an expired or
    revoked link shows nothing."""

    def setUp(self):
        super().setUp()
        self.link, url = self.env['customer_portal.share.link']._create_for_document(
            self.invoice, 'carla@acme-id.example'
        )
        self.token = re.search(r'access_token=([^&]+)', url)[1]

    def _post(self, path, **data):
        page = self.url_open('/web/login')
        return self.url_open(path, data={'csrf_token': self._csrf_token(page.text), 'access_token': self.token, **data})

    def test_code_to_the_recipient_of_the_link(self):
        page = self.url_open(self._invoice_url(self.token))
        self.assertIn('c•••@acme-id.example', page.text)
        self.assertNotIn(INVOICE_LINE, page.text)
        self._post(f'/my/identity/invoice/{self.invoice.id}/send')
        self.assertFalse(self.env['mail.mail'].sudo().search([('email_to', '=', 'ap@acme-id.example')]))
        code = self._last_code('carla@acme-id.example')
        self._post(f'/my/identity/invoice/{self.invoice.id}/verify', code=code)
        download = self.url_open(self._invoice_url(self.token, report_type='pdf', download='true'))
        self.assertTrue(download.content.startswith(PDF_MAGIC))

    def test_expired_or_revoked_link_shows_nothing(self):
        for expire in (
            lambda: self.link.write({'expiry_date': fields.Datetime.now() - timedelta(minutes=1)}),
            lambda: self.link.action_revoke(),
        ):
            expire()
            for url in (
                self._invoice_url(self.token),
                self._invoice_url(self.token, report_type='pdf', download='true'),
            ):
                response = self.url_open(url)
                self.assertNotIn(PDF_MAGIC, response.content)
                self.assertNotIn(INVOICE_LINE, response.text)
                self.assertNotIn('Email me a code', response.text)
            response = self._post(f'/my/identity/invoice/{self.invoice.id}/send')
            self.assertEqual(response.status_code, 404)

import hashlib
import re
from urllib.parse import parse_qs, urlparse

from lxml import html

from odoo.tests import tagged

from .common_portal_account import PortalAccountCommon


class PortalForwardCommon(PortalAccountCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                'portal_allow_forward': True,
                'portal_forward_max_recipients': 5,
                'portal_forward_daily_limit': 20,
                'portal_share_link_days': 30,
                'email': 'billing@business.example',
            }
        )

    def _forward_url(self, document):
        kind = 'invoices' if document._name == 'account.move' else 'orders'
        return f'/my/{kind}/{document.id}/forward'

    def _forward(self, document, rows, message='', status=200):
        """POST the forward form of ``document`` as the signed-in user; returns (response, alert text)."""
        page = self.url_open(self._forward_url(document))
        self.assertEqual(page.status_code, 200)
        data = [('csrf_token', self._csrf_token(page.text)), ('message', message)]
        for name, email in rows:
            data += [('recipient_name', name), ('recipient_email', email)]
        response = self.url_open(self._forward_url(document), data=data)
        self.assertEqual(response.status_code, status, response.text[:2000])
        tree = html.fromstring(response.content)
        alert = ' '.join(
            ' '.join(node.text_content().split())
            for node in tree.xpath(
                "//*[contains(@class, 'o_cp_forward_sent') or contains(@class, 'o_cp_forward_error')]"
            )
        )
        return response, alert

    def _links(self, document):
        return (
            self.env['customer_portal.share.link']
            .sudo()
            .search([('res_model', '=', document._name), ('res_id', '=', document.id)])
        )

    def _mails_to(self, email):
        return self.env['mail.mail'].sudo().search([('email_to', 'ilike', email)])

    def _token_of(self, mail):
        """The access token of the link in an email's body."""
        match = re.search(r'href="([^"]*access_token=[^"]+)"', mail.body_html)
        self.assertTrue(match, "the email holds a link with a token")
        url = match[1].replace('&amp;', '&')
        return url, parse_qs(urlparse(url).query)['access_token'][0]


@tagged('post_install', '-at_install')
class TestPortalForward(PortalForwardCommon):
    """P9, C15: a customer forwards an invoice, a quotation or an order by email."""

    def test_forward_invoice_creates_contact_once(self):
        """The recipient gets the PDF and their own link, becomes a contact person of the customer once,
        and the forward is an internal note on the invoice."""
        self._login(self.portal_user)
        _response, alert = self._forward(
            self.inv1, [('Carol Payables', 'Carol.AP@acme.example')], message="Please pay <b>this</b> today.\nThanks"
        )
        self.assertIn("Sent to carol.ap@acme.example", alert)
        carol = self.env['res.partner'].search([('email_normalized', '=', 'carol.ap@acme.example')])
        self.assertEqual(len(carol), 1)
        self.assertEqual(carol.parent_id, self.customer, "a contact person of the same customer company")
        self.assertEqual(carol.name, 'Carol Payables')

        mail = self._mails_to('carol.ap@acme.example')
        self.assertEqual(len(mail), 1)
        self.assertIn('billing@business.example', mail.email_from, "sent from the business")
        self.assertIn(self.inv1.name, mail.subject)
        self.assertIn('&lt;b&gt;this&lt;/b&gt;', mail.body_html, "the message is plain text")
        self.assertNotIn('<b>this</b>', mail.body_html)
        self.assertEqual(len(mail.attachment_ids), 1)
        self.assertEqual(mail.attachment_ids.mimetype, 'application/pdf')
        self.assertTrue(mail.attachment_ids.name.endswith('.pdf'))
        # Tests render reports as HTML (Odoo's test mode) unless forced: the invoice's own content is attached.
        self.assertIn(self.inv1.name.encode(), mail.attachment_ids.raw)
        name, pdf = self.inv1.with_context(force_report_rendering=True)._portal_forward_pdf()
        self.assertTrue(pdf.startswith(b'%PDF'), "outside tests, a real PDF")
        self.assertEqual(name, mail.attachment_ids.name)

        link = self._links(self.inv1)
        self.assertEqual(len(link), 1)
        self.assertEqual((link.partner_id, link.email, link.origin), (carol, 'carol.ap@acme.example', 'forward'))
        self.assertEqual(link.sender_user_id, self.portal_user)
        url, token = self._token_of(mail)
        self.assertTrue(url.startswith(self.inv1.get_base_url() + f'/my/invoices/{self.inv1.id}?'))
        self.assertNotEqual(token, self.inv1.access_token, "the recipient's own token, not the document's")
        self.assertEqual(link.sudo().token_hash, hashlib.sha256(token.encode()).hexdigest())

        note = self.inv1.message_ids.filtered(lambda m: 'forwarded this document to' in (m.body or ''))
        self.assertEqual(len(note), 1)
        self.assertTrue(note.subtype_id.internal, "an internal note")
        self.assertIn('carol.ap@acme.example', note.body)
        self.assertIn('Alice Acme', note.body)
        self.assertEqual(note.author_id, self.contact_a)

        # Again, with the address written otherwise: the same contact, not a second one.
        self._forward(self.inv2, [('Carol', ' carol.ap@ACME.example ')])
        self.assertEqual(self.env['res.partner'].search_count([('email_normalized', '=', 'carol.ap@acme.example')]), 1)
        self.assertEqual(self._links(self.inv2).partner_id, carol)
        # An existing contact of the customer is reused as it is.
        self._forward(self.inv2, [('Robert', 'bob@acme.example')])
        self.assertEqual(self._links(self.inv2).partner_id, carol | self.contact_b)
        self.assertEqual(self.contact_b.name, 'Bob Acme')

    def test_forward_quotation_and_order(self):
        """A quotation and a sales order are forwarded with their PDF."""
        quote = self.env['sale.order'].create(
            {'partner_id': self.customer.id, 'order_line': [(0, 0, {'product_id': self.service.id})]}
        )
        quote.action_quotation_sent()
        self._login(self.portal_user)
        page = self.url_open(f'/my/orders/{quote.id}')
        self.assertIn('o_cp_forward_btn', page.text, "the quotation page has Forward")
        self._forward(quote, [('Dan', 'dan@acme.example')])
        self._forward(self.so1, [('Dan', 'dan@acme.example')])
        for order in (quote, self.so1):
            mail = self.env['mail.mail'].sudo().search([('model', '=', 'sale.order'), ('res_id', '=', order.id)])
            self.assertEqual(len(mail), 1)
            self.assertEqual(mail.attachment_ids.mimetype, 'application/pdf')
            self.assertIn(order.name.encode(), mail.attachment_ids.raw)
            self.assertIn(f'/my/orders/{order.id}?access_token=', mail.body_html)

    def test_other_customer_address_not_attached(self):
        """An address of another customer is not made a contact of this one, and the answer is the same
        as for any new address: nothing about the other customer is revealed."""
        self._login(self.portal_user)
        _response, alert_new = self._forward(self.inv1, [('Someone', 'someone.new@example.org')])
        _response, alert_other = self._forward(self.inv2, [('Someone', 'olga@other.example')])
        self.assertEqual(
            alert_new.replace('someone.new@example.org', 'X').replace(self.inv1.name, 'D'),
            alert_other.replace('olga@other.example', 'X').replace(self.inv2.name, 'D'),
        )
        self.assertNotIn('Olga', alert_other)
        self.assertNotIn('Other Customer', alert_other)
        self.assertEqual(self.other_contact.parent_id, self.other_customer, "the other customer's contact unchanged")
        self.assertFalse(
            self.env['res.partner'].search(
                [('email_normalized', '=', 'olga@other.example'), ('id', 'child_of', self.customer.id)]
            )
        )
        link = self._links(self.inv2)
        self.assertFalse(link.partner_id, "not attached to anyone")
        self.assertEqual(link.email, 'olga@other.example')
        mail = self._mails_to('olga@other.example')
        self.assertNotIn('Olga', mail.body_html)
        self.assertNotIn('Other Customer', mail.body_html)

    def test_limits_per_forward_and_per_day(self):
        """At most the company's recipients per forward, and per user per 24 hours (counted from the
        stored links); a refused forward sends and creates nothing."""
        self.company.write({'portal_forward_max_recipients': 2, 'portal_forward_daily_limit': 3})
        self._login(self.portal_user)
        rows = [(f'P{i}', f'p{i}@acme.example') for i in range(3)]
        _response, alert = self._forward(self.inv1, rows, status=400)
        self.assertIn("at most 2 people at once", alert)
        self.assertFalse(self._links(self.inv1))
        self.assertFalse(self._mails_to('acme.example'))
        self.assertFalse(self.env['res.partner'].search([('email_normalized', '=', 'p0@acme.example')]))

        self._forward(self.inv1, rows[:2])
        _response, alert = self._forward(self.inv2, rows[:2], status=400)
        self.assertIn("you can send this one to one more person today", alert)
        self._forward(self.inv2, rows[2:])
        _response, alert = self._forward(self.inv2, [('Q', 'q@acme.example')], status=400)
        self.assertIn("reached today's limit of 3 people", alert)
        # Another user of the same customer has their own count.
        self._login(self.colleague_user)
        self._forward(self.inv2, [('Q', 'q@acme.example')])
        # Links older than a day no longer count.
        links = self.env['customer_portal.share.link'].sudo().search([('sender_user_id', '=', self.portal_user.id)])
        self.env.cr.execute(
            "UPDATE customer_portal_share_link SET create_date = create_date - interval '25 hours' WHERE id IN %s",
            [tuple(links.ids)],
        )
        self._login(self.portal_user)
        self._forward(self.inv2, [('R', 'r@acme.example'), ('S', 's@acme.example')])

    def test_bad_addresses_and_header_injection_refused(self):
        """Line breaks, several addresses in one field and malformed addresses are refused with a
        message; nothing is sent or created."""
        self._login(self.portal_user)
        cases = [
            ('Eve', 'eve@acme.example\r\nBcc: victim@example.org', "cannot hold a line break"),
            ('Eve\nBcc: victim@example.org', 'eve@acme.example', "cannot hold a line break"),
            ('Eve', 'eve@acme.example, victim@example.org', "holds several"),
            ('Eve', 'eve@acme.example;victim@example.org', "holds several"),
            ('Eve', 'Eve <eve@acme.example>', "holds several"),
            ('Eve', 'not-an-address', "is not a valid email address"),
            ('Eve', 'eve@localhost', "is not a valid email address"),
            ('Eve', '', "Enter the email address of Eve"),
            ('', '', "at least one recipient"),
        ]
        for name, email, expected in cases:
            with self.subTest(name=name, email=email):
                _response, alert = self._forward(self.inv1, [(name, email)], status=400)
                self.assertIn(expected, alert)
        self.assertFalse(self._links(self.inv1))
        self.assertFalse(
            self.env['mail.mail'].sudo().search([('model', '=', 'account.move'), ('res_id', '=', self.inv1.id)])
        )
        self.assertFalse(self.env['res.partner'].search([('email', 'ilike', 'eve@')]))

    def test_setting_off_and_strangers_404(self):
        """Setting off: no Forward button and the route answers 404 (GET and POST); another customer's
        user gets 404; a visitor must sign in."""
        self._login(self.portal_user)
        self.assertIn('o_cp_forward_btn', self.url_open(f'/my/invoices/{self.inv1.id}').text)
        csrf = self._csrf_token(self.url_open(self._forward_url(self.inv1)).text)
        self.company.portal_allow_forward = False
        self.assertNotIn('o_cp_forward_btn', self.url_open(f'/my/invoices/{self.inv1.id}').text)
        self.assertEqual(self.url_open(self._forward_url(self.inv1)).status_code, 404)
        response = self.url_open(
            self._forward_url(self.inv1),
            data={'csrf_token': csrf, 'recipient_name': 'X', 'recipient_email': 'x@acme.example'},
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self._links(self.inv1))

        self.company.portal_allow_forward = True
        self._login(self.other_user)
        self.assertEqual(self.url_open(self._forward_url(self.inv1)).status_code, 404)
        self.authenticate(None, None)
        response = self.url_open(self._forward_url(self.inv1), allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn('/web/login', response.headers['Location'])
        # A visitor with the document's link sees no Forward button either.
        page = self.url_open(self.inv1.get_portal_url())
        self.assertEqual(page.status_code, 200)
        self.assertNotIn('o_cp_forward_btn', page.text)

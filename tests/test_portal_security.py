# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Issue 21, what a web vulnerability scanner found: malformed tokens, two stock 500s, missing security
headers and server tracebacks in the JSON errors shown to customers."""
import json
import re
from urllib.parse import quote

from odoo import Command
from odoo.tests import BaseCase, tagged
from odoo.tools import mute_logger

from odoo.tools import hmac as hmac_tool

from ..tools.tokens import MAX_TOKEN_LENGTH, is_well_formed_token
from .common import PortalHttpCase
from .common_payment import PortalPaymentCommon, PortalPaymentHttpMixin
from .test_mfa_common import MfaHttpCase, totp_code

PDF_MAGIC = b'%PDF'
FRAME_OPTIONS = ('DENY', 'SAMEORIGIN')
REFERRER_POLICIES = ('no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin')
# Where the URL holds a token, no Referer carries that URL anywhere but to the portal itself.
TOKEN_REFERRER_POLICIES = ('no-referrer', 'same-origin')


@tagged('post_install', '-at_install')
class TestTokenShape(BaseCase):

    def test_well_formed_tokens(self):
        for token in ('0b6f3c2e-8d4a-4c1e-9a55-1f2e3d4c5b6a', 'a' * 64, 'A.b_c-1~'):
            self.assertTrue(is_well_formed_token(token), token)
        for value in (None, '', ' ', 'a b', '¿', 'a\x00', 'a\n', 'a' * (MAX_TOKEN_LENGTH + 1), 12345, True,
                      ['a'], {'a': 'b'}, b'abc', 1.5):
            self.assertFalse(is_well_formed_token(value), repr(value))


class PortalSecurityCommon(PortalPaymentCommon, PortalPaymentHttpMixin, PortalHttpCase):
    """Customer A (Gemini: Anna signs in) and customer B (Deco); each has an invoice, a credit
    note, a payment, a sales order and a payment transaction, with amounts found nowhere else."""

    def _payment_token(self, *values):
        # payment.utils.generate_access_token, outside of a request
        return hmac_tool(self.env(su=True), 'generate_access_token', '|'.join(str(val) for val in values))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal_payment_data()
        cls.company.portal_display_credit_notes = True
        cls.product = cls.env['product.product'].create({'name': 'Portal audit', 'type': 'service'})
        cls.docs = {
            'A': cls._documents(cls.contact_1, [4617.23, 1289.57], 283.19, 612.43, 97.61),
            'B': cls._documents(cls.other_customer, [5729.41, 2398.65], 394.67, 723.54, 86.72),
        }
        cls.env.flush_all()

    @classmethod
    def _documents(cls, partner, amounts, paid, ordered, refunded):
        invoices = cls._create_invoices(partner, amounts)
        credit_note = cls._create_invoices(partner, [refunded], move_type='out_refund')
        payment = cls.env['account.payment.register'].with_context(
            active_model='account.move', active_ids=invoices[1].ids,
        ).create({'amount': paid, 'payment_difference_handling': 'open'})._create_payments()
        order = cls.env['sale.order'].create({
            'partner_id': partner.id,
            'order_line': [Command.create({'product_id': cls.product.id, 'price_unit': ordered, 'tax_id': []})],
        })
        order.action_confirm()
        order.message_subscribe(partner.ids)
        tx = cls._create_tx(invoices[1], amount=11.0, partner=partner)
        for record in invoices + credit_note:
            record._portal_ensure_token()
        order._portal_ensure_token()
        residual = invoices[1].amount_residual
        markers = [*(invoices + credit_note).mapped('name'), payment.name, order.name, tx.reference]
        markers += [f'{amount:,.2f}' for amount in (*amounts, paid, ordered, refunded, residual)]
        return {
            'invoice': invoices[0], 'invoice_2': invoices[1], 'credit_note': credit_note, 'payment': payment,
            'order': order, 'tx': tx, 'markers': markers,
        }


@tagged('post_install', '-at_install')
class TestPortalHostileTokens(PortalSecurityCommon):
    """Each hostile token, on every document route the portal shows (ours and stock's), as a
    visitor, as a customer who does not own the document and as its owner: never a 500, never
    the document's content for anyone but its owner."""

    def _hostile_tokens(self, name, right, other):
        """(label, query-string fragment) of each hostile value of parameter ``name``."""
        changed = right[:-1] + ('0' if right[-1] != '0' else '1')
        return [
            ('missing', ''),
            ('non-ASCII', f'{name}=%C2%BF'),
            ('non-ASCII after the right token', f'{name}={right}%C2%BF'),
            ('4 kB', f'{name}={"a" * 4096}'),
            ('array', f'{name}[]={right}'),
            ('array with index', f'{name}[0]={right}'),
            ('repeated, right one first', f'{name}={right}&{name}={changed}'),
            ('empty', f'{name}='),
            ('one character changed', f'{name}={changed}'),
            ("another document's token", f'{name}={other}'),
            ('NUL byte', f'{name}={quote(right)}%00'),
            ('control character', f'{name}=%0A{right}'),
        ]

    def _document_routes(self, docs):
        """(label, url without the token, token name, right token, another token, the owner sees it)."""
        invoice, credit_note, order, tx = docs['invoice'], docs['credit_note'], docs['order'], docs['tx']
        link_amount = 100.0
        link_token = self._payment_token(invoice.partner_id.id, link_amount, invoice.currency_id.id)
        return [
            ('invoice', f'/my/invoices/{invoice.id}?', 'access_token', invoice.access_token,
             credit_note.access_token, invoice.name),
            ('invoice pdf', f'/my/invoices/{invoice.id}?report_type=pdf&download=true&', 'access_token',
             invoice.access_token, credit_note.access_token, None),
            ('invoice with payment amount',
             f'/my/invoices/{invoice.id}?access_token={invoice.access_token}&amount=10.0&payment=True&',
             'payment_token', self._payment_token(invoice.id, '10.0'),
             self._payment_token(invoice.id, '20.0'), None),
            ('credit note', f'/my/credit_notes/{credit_note.id}?', 'access_token', credit_note.access_token,
             invoice.access_token, credit_note.name),
            ('payment', f'/my/payments/{docs["payment"].id}?', 'access_token', invoice.access_token,
             credit_note.access_token, docs['payment'].name),
            ('order', f'/my/orders/{order.id}?', 'access_token', order.access_token, invoice.access_token,
             order.name),
            ('payment link',
             f'/payment/pay?invoice_id={invoice.id}&amount={link_amount}&', 'access_token', link_token,
             invoice.access_token, None),
            ('payment confirmation', f'/payment/confirmation?tx_id={tx.id}&', 'access_token',
             self._payment_token(tx.partner_id.id, tx.amount, tx.currency_id.id),
             invoice.access_token, None),
            ('statement', '/my/statement?', 'access_token', invoice.access_token, credit_note.access_token, None),
        ]

    def _assert_no_document(self, response, markers, context):
        self.assertLess(response.status_code, 500, context)
        self.assertNotIn(PDF_MAGIC, response.content, context)
        self.assertNotIn('application/pdf', response.headers.get('Content-Type', ''), context)
        text = response.text
        for marker in markers:
            self.assertNotIn(marker, text, f"{context}: the document's {marker} is shown")

    def test_hostile_tokens_on_every_document_route(self):
        docs = self.docs['A']
        routes = self._document_routes(docs)
        count = 0
        for caller, user in (('visitor', None), ('customer B', self.other_portal_user), ('owner', self.portal_user_1)):
            self.authenticate(user and user.login, user and user.login)
            for label, url, name, right, other, owner_sees in routes:
                if caller == 'owner' and label == 'invoice pdf':
                    continue  # the owner gets the PDF whatever the token: one wkhtmltopdf run each
                for token_label, fragment in self._hostile_tokens(name, right, other):
                    context = f"{caller}, {label}, {token_label}"
                    with self.subTest(caller=caller, route=label, token=token_label):
                        response = self.url_open(url + fragment, timeout=60)
                        count += 1
                        if caller == 'owner':
                            self.assertLess(response.status_code, 500, context)
                            if owner_sees:
                                self.assertEqual(response.status_code, 200, context)
                                self.assertIn(owner_sees, response.text, context)
                        else:
                            self._assert_no_document(response, docs['markers'], context)
        self.assertGreater(count, 250)

    def test_right_token_shows_the_document_to_a_visitor(self):
        """The control of the test above: its markers do find a document that is shown."""
        docs = self.docs['A']
        self.authenticate(None, None)
        for record in (docs['invoice'], docs['credit_note'], docs['order']):
            response = self.url_open(f'{record.access_url}?access_token={record.access_token}')
            self.assertEqual(response.status_code, 200)
            self.assertIn(record.name, response.text)
            self.assertIn(record.access_token, response.text)
        # The right token sent twice is the right token.
        invoice = docs['invoice']
        response = self.url_open(
            f'/my/invoices/{invoice.id}?access_token={invoice.access_token}&access_token={invoice.access_token}')
        self.assertIn(invoice.name, response.text)

    def test_hostile_tokens_on_the_invoice_transaction(self):
        """The JSON route paying one invoice: every hostile token of a visitor or of another
        customer is "The access token is invalid." and makes no transaction."""
        invoice = self.docs['A']['invoice']
        right = invoice.access_token
        values = ['¿', right + '¿', 'a' * 4096, [right], {'token': right}, 12345, True, '', right[:-1] + 'x',
                  self.docs['A']['credit_note'].access_token, right + '\x00']
        for caller, user in (('visitor', None), ('customer B', self.other_portal_user)):
            self.authenticate(user and user.login, user and user.login)
            for value in values:
                with self.subTest(caller=caller, token=repr(value)[:30]):
                    count = self.env['payment.transaction'].sudo().search_count([])
                    answer = self._jsonrpc(f'/invoice/transaction/{invoice.id}', self._tx_params(
                        access_token=value, amount=invoice.amount_residual))
                    self._assert_rpc_error(answer, "The access token is invalid.")
                    self.assertNotIn('debug', answer['error']['data'])
                    self.assertEqual(self.env['payment.transaction'].sudo().search_count([]), count)


@tagged('post_install', '-at_install')
class TestPortalStockErrors(PortalSecurityCommon):
    """The stock 500s on pages every customer uses: partner_id in the query string of the invoice
    page and of the payment methods page, and the address form with a country or state that is
    not an id."""

    def test_partner_id_in_the_query_string_is_ignored(self):
        self.authenticate(self.portal_user_1.login, self.portal_user_1.login)
        invoice = self.docs['A']['invoice']
        other = self.other_customer
        for query in (f'partner_id={other.id}', 'partner_id=abc', f'currency_id=1&company_id={self.company.id}',
                      'report=1&invoices_data=1', f'partner_id={other.id}&partner_id=1'):
            with self.subTest(query=query):
                response = self.url_open(f'/my/invoices/{invoice.id}?{query}')
                self.assertEqual(response.status_code, 200)
                self.assertIn(invoice.name, response.text)
                self.assertIn('4,617.23', response.text)
                self.assertNotIn(other.name, response.text)
                response = self.url_open(f'/my/payment_method?{query}&amount=5&is_validation=0')
                self.assertEqual(response.status_code, 200)
                self.assertIn('Payment Methods', response.text)
                self.assertNotIn(other.name, response.text)
        # The overdue invoices page of stock (bulk payments off) has the same payment form.
        self.company.portal_bulk_payment = False
        response = self.url_open(f'/my/invoices/overdue?partner_id={other.id}&invoices_data=1')
        self.assertEqual(response.status_code, 200)
        self.assertIn('o_payment_form', response.text)
        self.assertNotIn(other.name, response.text)

    def _address(self, partner, **values):
        return {
            'name': partner.name, 'phone': '+32 470 12 34 56', 'email': partner.email,
            'street': 'Rue du Pont 5', 'city': 'Namur', 'zipcode': '5000',
            'country_id': str(self.env.ref('base.be').id), 'state_id': '', **values,
        }

    def _post_account(self, values):
        page = self.url_open('/my/account')
        self.assertEqual(page.status_code, 200)
        return self.url_open('/my/account', data={**values, 'csrf_token': self._csrf_token(page.text)},
                             allow_redirects=False)

    @staticmethod
    def _form_errors(response):
        return ' '.join(re.sub(r'<[^>]+>|\s+', ' ', alert)
                        for alert in re.findall(r'alert-danger[^>]*>(.*?)</div>', response.text, re.S))

    def test_address_form_refuses_a_country_or_state_that_is_not_an_id(self):
        # A customer who may still change their country (no parent company, no invoice yet).
        user = self._new_portal_user('cp_sec_address', self.company, name='Hana Address')
        partner = user.partner_id
        partner.write({'country_id': self.env.ref('base.be').id, 'street': 'Rue du Pont 5'})
        self.authenticate(user.login, user.login)
        before = partner.read(['street', 'country_id', 'state_id'])[0]
        us_state = self.env.ref('base.state_us_5')
        hostile = ['abc', '1.5', '-1', '0', '99999999', '2147483648', '9' * 4096, '١٢', ' 1', '[1,2]']
        for field_name in ('state_id', 'country_id'):
            # A state of another country than the one chosen is refused too.
            for value in hostile + ([str(us_state.id)] if field_name == 'state_id' else []):
                for with_other_error in (True, False):
                    values = self._address(partner, street='Rue Neuve 7', **{field_name: value})
                    if with_other_error:
                        values['phone'] = ''
                    with self.subTest(field=field_name, value=value[:20], other_error=with_other_error):
                        response = self._post_account(values)
                        self.assertEqual(response.status_code, 200, response.text[:500])
                        self.assertIn("Choose your country and your state from the lists.",
                                      self._form_errors(response))
                        partner.invalidate_recordset()
                        self.assertEqual(partner.read(['street', 'country_id', 'state_id'])[0], before)
        # A NUL byte in a text field is refused as well (PostgreSQL refuses it on saving).
        response = self._post_account(self._address(partner, street='Rue\x00 Neuve'))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Some fields hold characters that are not allowed.", self._form_errors(response))
        # The form still saves a valid address, state included.
        us = self.env.ref('base.us')
        response = self._post_account(self._address(
            partner, street='Rue Neuve 7', country_id=str(us.id), state_id=str(us_state.id)))
        self.assertEqual(response.status_code, 303, self._form_errors(response))
        partner.invalidate_recordset()
        self.assertEqual((partner.street, partner.country_id, partner.state_id), ('Rue Neuve 7', us, us_state))

    def test_address_form_of_a_contact_with_a_state_that_is_not_an_id(self):
        """A contact of a customer company cannot change the country (stock puts the saved one back):
        a malformed state is refused all the same, with the form shown again."""
        user = self.portal_user_1
        self.authenticate(user.login, user.login)
        partner = user.partner_id
        before = partner.read(['street', 'country_id', 'state_id'])[0]
        for value in ('abc', '99999999', '[1,2]'):
            for phone in ('', '+32 470 12 34 56'):
                with self.subTest(value=value, phone=phone):
                    response = self._post_account(self._address(partner, state_id=value, phone=phone))
                    self.assertEqual(response.status_code, 200)
                    self.assertIn("Choose your country and your state from the lists.", self._form_errors(response))
                    partner.invalidate_recordset()
                    self.assertEqual(partner.read(['street', 'country_id', 'state_id'])[0], before)


class SecurityHeadersAssertions:

    def _assert_security_headers(self, response, url, token_in_url=False):
        headers = response.headers
        self.assertIn(headers.get('X-Frame-Options'), FRAME_OPTIONS, url)
        self.assertRegex(headers.get('Content-Security-Policy', ''), r"frame-ancestors ('self'|'none')", url)
        self.assertEqual(headers.get('X-Content-Type-Options'), 'nosniff', url)
        policies = REFERRER_POLICIES if not token_in_url else TOKEN_REFERRER_POLICIES
        self.assertIn(headers.get('Referrer-Policy'), policies, url)


@tagged('post_install', '-at_install')
class TestPortalSecurityHeaders(SecurityHeadersAssertions, PortalSecurityCommon):
    """Anti-framing, referrer and no-sniff headers on every portal and public-link page."""

    def _our_page_routes(self):
        """Every GET page of the addon found in the routing map (as the hostile-input test does),
        with the ids of customer A's documents."""
        from .test_portal_hostile_input import _is_ours
        docs = self.docs['A']
        ids = {'invoice_id': docs['invoice'].id, 'credit_note_id': docs['credit_note'].id,
               'payment_id': docs['payment'].id, 'page': 1, 'order_id': docs['order'].id}
        urls = []
        for rule in self.env['ir.http'].routing_map().iter_rules():
            routing = rule.endpoint.routing
            methods = routing.get('methods') or ['GET']
            if routing['type'] != 'http' or 'GET' not in methods or not _is_ours(rule):
                continue
            if rule.arguments - set(ids):
                continue
            url = rule.rule
            for argument in rule.arguments:
                url = re.sub(r'<[^>]*:?%s>' % argument, str(ids[argument]), url)
            urls.append(url)
        return sorted(set(urls))

    def test_portal_pages_carry_the_headers(self):
        user = self.portal_user_1
        self.authenticate(user.login, user.login)
        docs = self.docs['A']
        urls = self._our_page_routes()
        self.assertIn('/my/statement', urls)
        urls += [
            '/my', '/my/home', '/my/invoices', f'/my/invoices/{docs["invoice"].id}', '/my/invoices/pay',
            f'/my/invoices/pay?invoice_ids={docs["invoice"].id}', '/my/credit_notes', '/my/payments',
            '/my/statement', '/my/retainer_invoices', '/my/orders', f'/my/orders/{docs["order"].id}',
            '/my/account', '/my/security', '/my/payment_method', '/my/no-such-page',
            f'/my/invoices/{docs["invoice"].id}?report_type=html',
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertLess(response.status_code, 500, url)
                self._assert_security_headers(response, url)
        response = self.url_open(f'/my/invoices/{docs["invoice"].id}')
        self.assertIn('Pay Now', response.text)
        self._assert_security_headers(response, 'invoice with its Pay button')

    def test_public_links_and_sign_in_pages_carry_the_headers(self):
        self.authenticate(None, None)
        docs = self.docs['A']
        invoice = docs['invoice']
        link_token = self._payment_token(invoice.partner_id.id, 100.0, invoice.currency_id.id)
        token_urls = [
            f'/my/invoices/{invoice.id}?access_token={invoice.access_token}',
            f'/my/invoices/{invoice.id}?access_token={invoice.access_token}&report_type=html',
            f'/my/credit_notes/{docs["credit_note"].id}?access_token={docs["credit_note"].access_token}',
            f'/my/orders/{docs["order"].id}?access_token={docs["order"].access_token}',
            f'/payment/pay?invoice_id={invoice.id}&amount=100.0&access_token={link_token}',
            f'/my/invoices/{invoice.id}?access_token=%C2%BF',
            f'/payment/pay?invoice_id={invoice.id}&amount=100.0&access_token=wrong',
        ]
        for url in token_urls:
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertLess(response.status_code, 500, url)
                self._assert_security_headers(response, url, token_in_url=True)
        response = self.url_open(token_urls[0])
        self.assertIn(invoice.name, response.text)
        self.assertIn('Pay Now', response.text)
        for url in ('/web/login', f'/portal/{self.company.portal_slug}', '/web/reset_password', '/web/signup',
                    '/my', '/my/invoices', '/web/login/totp', '/web/login/totp/enroll', '/my/no-such-page'):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertLess(response.status_code, 500, url)
                self._assert_security_headers(response, url)
        # Backend assets are left alone.
        response = self.url_open('/web/webclient/version_info', data='{}', headers={'Content-Type': 'application/json'})
        self.assertNotIn('X-Frame-Options', response.headers)


@tagged('post_install', '-at_install')
class TestPortalSecurityHeadersSignIn(SecurityHeadersAssertions, MfaHttpCase):
    """The sign-in and second-factor pages, reached for real (password, then the TOTP pages)."""

    def test_sign_in_and_second_factor_pages_carry_the_headers(self):
        page = self.url_open('/web/login')
        self._assert_security_headers(page, '/web/login')
        response = self._login(self.portal_user.login, self.portal_password)
        self.assertIn('/web/login/totp/enroll', response.headers.get('Location', ''))
        page, secret = self._enroll_page()
        self._assert_security_headers(page, 'enrollment')
        response = self.url_open('/web/login/totp/enroll', data={
            'csrf_token': self._csrf(page), 'totp_token': totp_code(secret),
        }, allow_redirects=False)
        self.assertIn('o_portal_mfa_backup_code', response.text)
        self._assert_security_headers(response, 'backup codes')
        self._logout()
        self._reset_last_step(self.portal_user)
        response = self._login(self.portal_user.login, self.portal_password)
        self.assertIn('/web/login/totp', response.headers.get('Location', ''))
        page = self.url_open('/web/login/totp')
        self.assertEqual(page.status_code, 200)
        self._assert_security_headers(page, '/web/login/totp')
        response = self._post_second_factor('000000' if totp_code(secret) != '000000' else '111111')
        self._assert_security_headers(response, 'wrong code')
        response = self._post_second_factor('¿' * 10)
        self.assertLess(response.status_code, 500)
        self._assert_security_headers(response, 'malformed code')


@tagged('post_install', '-at_install')
class TestPortalJsonErrors(PortalSecurityCommon):
    """A customer's failed JSON request carries the error's message, never the server's traceback;
    internal users keep Odoo's debug information."""

    def test_portal_user_gets_the_message_without_traceback(self):
        user = self.portal_user_1
        self.authenticate(user.login, user.login)
        answer = self._jsonrpc('/my/invoices/pay/transaction', {**self._tx_params(), 'invoice_ids': 'abc', 'amount': 1})
        self._assert_rpc_error(answer, "The selection of invoices is not valid.")
        data = answer['error']['data']
        self.assertNotIn('debug', data)
        self.assertNotIn('Traceback', json.dumps(answer))
        self.assertNotIn('.py', json.dumps(answer))
        foreign = self.docs['B']['invoice']
        answer = self._jsonrpc('/my/invoices/pay/transaction', {
            **self._tx_params(), 'invoice_ids': foreign.ids, 'amount': foreign.amount_residual})
        self._assert_rpc_error(answer)
        self.assertNotIn('debug', answer['error']['data'])
        self.assertNotIn('Traceback', json.dumps(answer))

    def test_unexpected_error_hides_its_text_from_customers(self):
        """An error that is not meant for the user (here a TypeError of the ORM) shows a generic
        message to a customer; an employee gets the message and the traceback."""
        params = {'model': 'res.partner', 'method': 'read', 'args': [[self.contact_1.id], 42], 'kwargs': {}}
        for user, internal in ((self.portal_user_1, False), (None, False), (self.internal_user, True)):
            self.authenticate(user and user.login, user and user.login)
            with self.subTest(user=user and user.login):
                with mute_logger('odoo.http'):
                    answer = self._jsonrpc('/web/dataset/call_kw/res.partner/read', params)
                self.assertIn('error', answer)
                data = answer['error']['data']
                if internal:
                    self.assertIn('Traceback', data['debug'])
                else:
                    self.assertNotIn('debug', data)
                    self.assertNotIn('Traceback', json.dumps(answer))
                    if user:
                        self.assertEqual(data['message'], "An unexpected error occurred. Reload the page and try again.")

    def test_internal_user_keeps_debug_information(self):
        self.authenticate(self.internal_user.login, self.internal_user.login)
        answer = self._jsonrpc('/my/invoices/pay/transaction', {**self._tx_params(), 'invoice_ids': 'abc', 'amount': 1})
        self._assert_rpc_error(answer, "The selection of invoices is not valid.")
        self.assertIn('Traceback', answer['error']['data']['debug'])

    def test_visitor_on_a_signed_in_route(self):
        self.authenticate(None, None)
        answer = self._jsonrpc('/my/invoices/pay/transaction', {'invoice_ids': 'abc'})
        self.assertIn('error', answer)
        self.assertNotIn('debug', answer['error']['data'])

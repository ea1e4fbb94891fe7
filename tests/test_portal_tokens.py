# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Issue 21, what a web vulnerability scanner found: malformed tokens on the document routes."""

from odoo.tests import BaseCase, tagged

from ..tools.tokens import MAX_TOKEN_LENGTH, is_well_formed_token
from .common_portal_security import PortalSecurityCommon

PDF_MAGIC = b'%PDF'


@tagged('post_install', '-at_install')
class TestTokenShape(BaseCase):
    def test_well_formed_tokens(self):
        """What a well-formed access token is."""
        for token in ('0b6f3c2e-8d4a-4c1e-9a55-1f2e3d4c5b6a', 'a' * 64, 'A.b_c-1~'):
            self.assertTrue(is_well_formed_token(token), token)
        for value in (
            None,
            '',
            ' ',
            'a b',
            '¿',
            'a\x00',
            'a\n',
            'a' * (MAX_TOKEN_LENGTH + 1),
            12345,
            True,
            ['a'],
            {'a': 'b'},
            b'abc',
            1.5,
        ):
            self.assertFalse(is_well_formed_token(value), repr(value))


@tagged('post_install', '-at_install')
class TestPortalHostileTokens(PortalSecurityCommon):
    """Each hostile token, on every document route the portal shows (ours and stock's), as a
    visitor, as a customer who does not own the document and as its owner: never a 500, never
    the document's content for anyone but its owner."""

    def _document_routes(self, docs):
        """(label, url without the token, token name, right token, another token, the owner sees it)."""
        invoice, credit_note, order, tx = docs['invoice'], docs['credit_note'], docs['order'], docs['tx']
        link_amount = 100.0
        link_token = self._generate_test_access_token(invoice.partner_id.id, link_amount, invoice.currency_id.id)
        return [
            (
                'invoice',
                f'/my/invoices/{invoice.id}?',
                'access_token',
                invoice.access_token,
                credit_note.access_token,
                invoice.name,
            ),
            (
                'invoice pdf',
                f'/my/invoices/{invoice.id}?report_type=pdf&download=true&',
                'access_token',
                invoice.access_token,
                credit_note.access_token,
                None,
            ),
            (
                'invoice with payment amount',
                f'/my/invoices/{invoice.id}?access_token={invoice.access_token}&amount=10.0&payment=True&',
                'payment_token',
                self._generate_test_access_token(invoice.id, '10.0'),
                self._generate_test_access_token(invoice.id, '20.0'),
                None,
            ),
            (
                'credit note',
                f'/my/credit_notes/{credit_note.id}?',
                'access_token',
                credit_note.access_token,
                invoice.access_token,
                credit_note.name,
            ),
            (
                'payment',
                f'/my/payments/{docs["payment"].id}?',
                'access_token',
                invoice.access_token,
                credit_note.access_token,
                docs['payment'].name,
            ),
            ('order', f'/my/orders/{order.id}?', 'access_token', order.access_token, invoice.access_token, order.name),
            (
                'payment link',
                f'/payment/pay?invoice_id={invoice.id}&amount={link_amount}&',
                'access_token',
                link_token,
                invoice.access_token,
                None,
            ),
            (
                'payment confirmation',
                f'/payment/confirmation?tx_id={tx.id}&',
                'access_token',
                self._generate_test_access_token(tx.partner_id.id, tx.amount, tx.currency_id.id),
                invoice.access_token,
                None,
            ),
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
        """Each hostile token on every document route: never a 500, never the document but to its owner."""
        docs = self.docs['A']
        routes = self._document_routes(docs)
        count = 0
        for caller, user in (('visitor', None), ('customer B', self.other_portal_user), ('owner', self.portal_user_1)):
            self.authenticate(user and user.login, user and user.login)
            for label, url, name, right, other, owner_sees in routes:
                if caller == 'owner' and label == 'invoice pdf':
                    continue  # the owner gets the PDF whatever the token: one wkhtmltopdf run each
                for token_label, fragment in self._hostile_token_cases(name, right, other):
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
            f'/my/invoices/{invoice.id}?access_token={invoice.access_token}&access_token={invoice.access_token}'
        )
        self.assertIn(invoice.name, response.text)

    def test_hostile_tokens_on_the_invoice_transaction(self):
        """The JSON route paying one invoice: every hostile token of a visitor or of another
        customer is "The access token is invalid." and makes no transaction."""
        invoice = self.docs['A']['invoice']
        right = invoice.access_token
        values = [
            '¿',
            right + '¿',
            'a' * 4096,
            [right],
            {'token': right},
            12345,
            True,
            '',
            right[:-1] + 'x',
            self.docs['A']['credit_note'].access_token,
            right + '\x00',
        ]
        for caller, user in (('visitor', None), ('customer B', self.other_portal_user)):
            self.authenticate(user and user.login, user and user.login)
            for value in values:
                with self.subTest(caller=caller, token=repr(value)[:30]):
                    count = self.env['payment.transaction'].sudo().search_count([])
                    answer = self._jsonrpc(
                        f'/invoice/transaction/{invoice.id}',
                        self._tx_params(access_token=value, amount=invoice.amount_residual),
                    )
                    self._assert_rpc_error(answer, "The access token is invalid.")
                    self.assertNotIn('debug', answer['error']['data'])
                    self.assertEqual(self.env['payment.transaction'].sudo().search_count([]), count)

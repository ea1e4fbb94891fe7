from lxml import html

from odoo.tests import tagged

from .common_payment import PortalPaymentHttpCommon


@tagged('post_install', '-at_install')
class TestPortalPaymentTour(PortalPaymentHttpCommon):
    """Paying invoices by clicks on the portal, in full or in part (tours)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoices = cls._create_invoices(cls.contact_1, [100.0, 250.5])

    def test_pay_two_invoices_and_find_the_receipt(self):
        """A customer pays two invoices at once by clicks and finds the receipt."""
        self.start_tour('/my/invoices', 'customer_portal_payment_tour', login='cp_pay_anna')
        tx = self.env['payment.transaction'].sudo().search([('invoice_ids', 'in', self.invoices.ids)])
        self.assertEqual(len(tx), 1, "One payment for both invoices")
        self.assertEqual(tx.state, 'done')
        self.assertEqual(tx.amount, 350.5)
        self.assertTrue(tx.payment_id)
        self.assertTrue(all(inv.payment_state in ('paid', 'in_payment') for inv in self.invoices))

    def test_partial_amount_written_in_the_invoice_currency(self):
        """The amount field reads "1,380.00", not the raw float "1380.0" (issue 8, item 4)."""
        invoice = self._create_invoice(self.contact_1, 1380.0)
        eur_invoice = self._create_invoice(self.contact_1, 1380.0, currency=self.other_currency)
        (invoice + eur_invoice).allow_partial_payment = True
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        for move in (invoice, eur_invoice):
            currency = move.currency_id
            response = self.url_open(f'/my/invoices/{move.id}')
            self.assertEqual(response.status_code, 200)
            tree = html.fromstring(response.content)
            [field] = tree.xpath("//input[@id='o_cp_partial_amount']")
            self.assertEqual(field.get('value'), '1,380.00')
            self.assertEqual(field.get('data-digits'), str(currency.decimal_places))
            self.assertEqual(field.get('data-symbol'), currency.symbol)
            self.assertEqual(field.get('data-position'), currency.position)
            # The symbol sits on the currency's side of the field, and the limit is a full amount.
            group = ' '.join(
                tree.xpath("//div[contains(@class, 'o_cp_partial_payment')]//div[contains(@class, 'input-group')]")[0]
                .text_content()
                .split()
            )
            self.assertEqual(group, currency.symbol)
            limit = ' '.join(tree.xpath("//*[contains(@class, 'o_cp_partial_amount_max')]")[0].text_content().split())
            self.assertEqual(
                limit, f'{currency.symbol} 1,380.00' if currency.position == 'before' else f'1,380.00 {currency.symbol}'
            )
        # Whatever the page shows, the server still checks the amount.
        answer = self._jsonrpc(
            f'/invoice/transaction/{invoice.id}',
            self._tx_params(
                access_token=invoice._portal_ensure_token(), amount=1380.01, landing_route=invoice.access_url
            ),
        )
        self.assertIn('error', answer)
        self.assertIn('1,380.00', answer['error']['data']['message'], "the refusal names what is due")
        self.assertFalse(self._active_txs(invoice))

    def test_partial_payment_tour(self):
        """A customer pays part of an invoice by clicks."""
        invoice = self._create_invoice(self.contact_2, 123.45)
        invoice.allow_partial_payment = True
        self.start_tour('/my/invoices', 'customer_portal_partial_payment_tour', login='cp_pay_bob')
        tx = self.env['payment.transaction'].sudo().search([('invoice_ids', '=', invoice.id)])
        self.assertEqual(tx.amount, 40.0)
        self.assertEqual(tx.state, 'done')
        self.assertEqual(invoice.amount_residual, 83.45)

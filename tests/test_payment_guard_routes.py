import html

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common_payment import PortalPaymentHttpCommon


@tagged('post_install', '-at_install')
class TestPaymentGuardRoutes(PortalPaymentHttpCommon):
    """Every route that pays an invoice applies the guard and the amount checks of the models."""

    def _invoice_transaction(self, invoice, **params):
        return self._jsonrpc(
            f'/invoice/transaction/{invoice.id}', self._tx_params(access_token=invoice._portal_ensure_token(), **params)
        )

    def test_every_pay_route_refuses_pending_invoice(self):
        """Every route paying an invoice refuses it while a payment is pending, until cancelled."""
        invoice = self._create_invoice(self.contact_1, 100.0)
        tx = self._create_tx(invoice, state='pending')
        self.authenticate('cp_pay_anna', 'cp_pay_anna')

        # The invoice page: no Pay button, the pending payment with its reference.
        page = self.url_open(f'/my/invoices/{invoice.id}')
        self.assertEqual(page.status_code, 200)
        self.assertNotIn('data-bs-target="#pay_with"', page.text)
        self.assertIn('o_cp_payment_in_progress', page.text)
        self.assertIn(tx.reference, page.text)

        # The invoice transaction route.
        self._assert_rpc_error(self._invoice_transaction(invoice, amount=100.0), "being processed")
        # The overdue route (the invoice is overdue).
        self._assert_rpc_error(
            self._jsonrpc('/invoice/transaction/overdue', self._tx_params(payment_reference='X', amount=100.0)),
            "being processed",
        )
        # Our bulk route, and its page.
        self._assert_rpc_error(
            self._jsonrpc('/my/invoices/pay/transaction', self._tx_params(invoice_ids=[invoice.id], amount=100.0)),
            "being processed",
        )
        page = self.url_open(f'/my/invoices/pay?invoice_ids={invoice.id}')
        self.assertIn("being processed", page.text)
        self.assertNotIn('o_payment_form', page.text)
        # The payment link.
        token = self._generate_test_access_token(invoice.partner_id.id, 100.0, invoice.currency_id.id)
        page = self.url_open(f'/payment/pay?invoice_id={invoice.id}&amount=100.0&access_token={token}')
        self.assertEqual(page.status_code, 200)
        self.assertIn("being processed", page.text)
        self.assertIn(tx.reference, page.text)
        self.assertNotIn('id="o_payment_form"', page.text)

        self.assertEqual(self._active_txs(invoice), tx, "No route created a second payment")

        # Once the pending payment is cancelled, paying works again.
        tx._set_canceled()
        answer = self._invoice_transaction(invoice, amount=100.0)
        self.assertIn('result', answer, answer)
        new_tx = self._active_txs(invoice)
        self.assertEqual(len(new_tx), 1)
        self.assertEqual(new_tx.amount, 100.0)

    def test_payment_link_amount_accepted(self):
        """A payment link's own amount is accepted."""
        invoice = self._create_invoice(self.contact_1, 100.0)
        token = self._generate_test_access_token(invoice.partner_id.id, 30.0, invoice.currency_id.id)
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        page = self.url_open(f'/payment/pay?invoice_id={invoice.id}&amount=30.0&access_token={token}')
        self.assertIn('id="o_payment_form"', page.text)
        self.assertIn('result', self._invoice_transaction(invoice, amount=30.0))
        self.assertEqual(self._active_txs(invoice).amount, 30.0)

    def test_payment_link_never_charges_above_residual(self):
        """Issue 8, item 18: a payment link made for 100.00 before the invoice was paid 60.00
        charges the 40.00 still due, says so, and no route accepts more than is due."""
        invoice = self._create_invoice(self.contact_1, 100.0)
        token = self._generate_test_access_token(invoice.partner_id.id, 100.0, invoice.currency_id.id)
        self.env['account.payment.register'].with_context(active_model='account.move', active_ids=invoice.ids).create(
            {'amount': 60.0}
        )._create_payments()
        self.assertAlmostEqual(invoice.amount_residual, 40.0)
        residual, link = (self.currency.format(amount).replace('\xa0', ' ') for amount in (40.0, 100.0))

        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        page = self.url_open(f'/payment/pay?invoice_id={invoice.id}&amount=100.0&access_token={token}')
        self.assertEqual(page.status_code, 200)
        self.assertIn('o_cp_payment_link_capped', page.text)
        self.assertIn(
            f"This payment link asks for {link}, but only {residual} is still due on {invoice.name}",
            html.unescape(page.text).replace('\xa0', ' '),
        )
        self.assertIn('data-amount="40.0"', page.text, "The form charges the amount due")
        self.assertNotIn('data-amount="100.0"', page.text)
        # The page's notice cannot be forged by the URL.
        page = self.url_open(
            f'/payment/pay?invoice_id={invoice.id}&amount=100.0&access_token={token}&portal_payment_link_notice=Forged'
        )
        self.assertNotIn('Forged', page.text)

        # Whatever the link said, the transaction routes refuse more than is due...
        answer = self._invoice_transaction(invoice, amount=100.0)
        self._assert_rpc_error(answer, "you cannot pay more than is due")
        self.assertIn(residual, answer['error']['data']['message'].replace('\xa0', ' '))
        self._assert_rpc_error(self._invoice_transaction(invoice, amount=40.01))
        self.assertFalse(self._active_txs(invoice), "Nothing above the residual was created")
        # ... and accept the amount due.
        self.assertIn('result', self._invoice_transaction(invoice, amount=40.0))
        self.assertEqual(self._active_txs(invoice).amount, 40.0)

    def test_billing_user_cancels_bank_transfer_from_the_invoice(self):
        """Issue 8, item 19, by clicks: the invoice form lists the pending bank transfer, a
        billing user cancels it there and the customer can pay online again."""
        transfer = self.env.ref('payment.payment_provider_transfer')
        transfer.write({'state': 'enabled', 'is_published': True, 'company_id': self.company.id})
        invoice = self._create_invoice(self.contact_1, 100.0)
        tx = self._create_tx(
            invoice, state='pending', provider_id=transfer.id, payment_method_id=transfer.payment_method_ids[:1].id
        )
        accountant = new_test_user(
            self.env, login='cp_pay_tour_billing', name="Tess Tour", groups='account.group_account_invoice'
        )
        self.start_tour(
            f'/odoo/action-account.action_move_out_invoice_type/{invoice.id}',
            'customer_portal_payment_cancel_tour',
            login=accountant.login,
        )
        self.assertEqual(tx.state, 'cancel')
        self.assertIn("Tess Tour", tx.state_message)
        self.assertTrue(invoice._has_to_be_paid())

    def test_payment_link_nothing_due_refused(self):
        """A link of an invoice with nothing left to pay creates nothing (stock's TestFlows
        test_invoice_payment_flow pays one: refused on purpose)."""
        invoice = self._create_invoice(self.contact_1, 100.0)
        token = self._generate_test_access_token(invoice.partner_id.id, 100.0, invoice.currency_id.id)
        self.env['account.payment.register'].with_context(active_model='account.move', active_ids=invoice.ids).create(
            {'amount': 100.0}
        )._create_payments()
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        self.url_open(f'/payment/pay?invoice_id={invoice.id}&amount=100.0&access_token={token}')
        self._assert_rpc_error(
            self._invoice_transaction(invoice, amount=100.0), "There is nothing left to pay on this invoice."
        )
        self.assertFalse(self._active_txs(invoice))

    def test_duplicate_guard_off_is_stock(self):
        """With the guard off, a second payment is made as in stock Odoo."""
        self.company.portal_prevent_duplicate_payment = False
        invoice = self._create_invoice(self.contact_1, 100.0)
        self._create_tx(invoice, state='pending')
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        self.assertIn('result', self._invoice_transaction(invoice, amount=100.0))
        self.assertEqual(len(self._active_txs(invoice)), 2)

    def test_tampered_amounts_refused(self):
        """Tampered amounts and another currency are refused by the invoice transaction route."""
        invoice = self._create_invoice(self.contact_1, 100.0)
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        for amount in (0.01, -1, 100.01, "1e9", 1e9, None):
            self._assert_rpc_error(self._invoice_transaction(invoice, amount=amount))
        params = self._tx_params(access_token=invoice._portal_ensure_token())
        raw = ', '.join(
            f'"{key}": {value}'
            for key, value in (
                ('provider_id', self.provider.id),
                ('payment_method_id', self.payment_method.id),
                ('flow', '"direct"'),
                ('tokenization_requested', 'false'),
                ('landing_route', '"/my"'),
                ('is_validation', 'false'),
                ('access_token', f'"{params["access_token"]}"'),
            )
        )
        for amount in ('NaN', 'Infinity', '-Infinity', '[100]', '{"a": 1}'):
            self._assert_rpc_error(
                self._jsonrpc(f'/invoice/transaction/{invoice.id}', raw_params='{%s, "amount": %s}' % (raw, amount))
            )
        # Another currency is refused.
        self._assert_rpc_error(self._invoice_transaction(invoice, amount=100.0, currency_id=self.other_currency.id))
        self.assertFalse(self._active_txs(invoice), "Nothing was created")
        # The full amount works.
        self.assertIn('result', self._invoice_transaction(invoice, amount=100.0))

    def test_bank_methods_on_the_invoice_page(self):
        """The invoice page offers bank methods only to customers allowed to use them."""
        ach = self.env.ref('payment.payment_method_ach_direct_debit')
        self.provider.payment_method_ids = [Command.link(ach.id)]
        ach.active = True
        invoice = self._create_invoice(self.contact_1, 100.0, currency=self.env.ref('base.USD'))
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        page = self.url_open(f'/my/invoices/{invoice.id}')
        self.assertIn('data-payment-method-code="demo"', page.text, "Cards and other methods for everyone")
        self.assertNotIn('data-payment-method-code="ach_direct_debit"', page.text)
        self._assert_rpc_error(
            self._invoice_transaction(invoice, amount=100.0, payment_method_id=ach.id), "bank account"
        )
        self.assertFalse(self._active_txs(invoice))
        self.customer.portal_allow_bank_payment = True
        page = self.url_open(f'/my/invoices/{invoice.id}')
        self.assertIn('data-payment-method-code="ach_direct_debit"', page.text)
        self.assertIn('result', self._invoice_transaction(invoice, amount=100.0, payment_method_id=ach.id))

    def test_partial_payment_route(self):
        """A partial amount is refused unless the invoice allows it, then only within bounds."""
        invoice = self._create_invoice(self.contact_1, 100.0)
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        self._assert_rpc_error(self._invoice_transaction(invoice, amount=40.0), "paid in full")
        invoice.allow_partial_payment = True
        page = self.url_open(f'/my/invoices/{invoice.id}')
        self.assertIn('id="o_cp_partial_amount"', page.text)
        self._assert_rpc_error(self._invoice_transaction(invoice, amount=100.5))
        self._assert_rpc_error(self._invoice_transaction(invoice, amount=0))
        self.assertIn('result', self._invoice_transaction(invoice, amount="40.00"))
        self.assertEqual(self._active_txs(invoice).amount, 40.0)

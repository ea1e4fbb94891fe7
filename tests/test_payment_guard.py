import threading
from concurrent.futures import ThreadPoolExecutor

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.tests import BaseCase, HttpCase, TransactionCase, tagged
from odoo.tests.common import get_db_name
from odoo.modules.registry import Registry
from odoo.tools import mute_logger
from odoo.tools.misc import hmac as hmac_tool

from .common_payment import PortalPaymentCommon, PortalPaymentHttpMixin


@tagged('post_install', '-at_install')
class TestPaymentGuard(PortalPaymentCommon, TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal_payment_data()

    def test_pending_payment_blocks_new_payment(self):
        invoice = self._create_invoice(self.contact_1, 100.0)
        tx = self._create_tx(invoice, state='pending')
        self.assertFalse(invoice._has_to_be_paid(), "No Pay button while a payment is pending")
        with self.assertRaises(UserError) as caught:
            self._create_tx(invoice)
        self.assertIn("being processed", str(caught.exception))
        self.assertIn(tx.reference, str(caught.exception), "The message names the pending payment")
        self.assertIn(tx.reference, invoice._get_online_payment_error())
        self.assertEqual(self._active_txs(invoice), tx)

    def test_authorized_and_wire_transfer_block(self):
        invoice = self._create_invoice(self.contact_1, 100.0)
        self._create_tx(invoice, state='authorized')
        with self.assertRaises(UserError):
            self._create_tx(invoice)
        # Stock ignores the payments of 'none' and 'custom' (manual bank transfer) providers; we do not.
        invoice_2 = self._create_invoice(self.contact_1, 50.0)
        self.provider.code = 'none'
        try:
            self._create_tx(invoice_2, state='pending')
            self.assertFalse(invoice_2._has_to_be_paid())
            with self.assertRaises(UserError):
                self._create_tx(invoice_2)
        finally:
            self.provider.code = 'demo'

    def test_cancel_and_error_unblock(self):
        invoice = self._create_invoice(self.contact_1, 100.0)
        tx = self._create_tx(invoice, state='pending')
        tx._set_canceled()
        self.assertTrue(invoice._has_to_be_paid())
        tx_2 = self._create_tx(invoice, state='pending')
        tx_2._set_error("Refused by the bank")
        tx_3 = self._create_tx(invoice)
        self.assertEqual(self._active_txs(invoice), tx_3)

    def test_recent_draft_blocks_abandoned_draft_does_not(self):
        invoice = self._create_invoice(self.contact_1, 100.0)
        tx = self._create_tx(invoice)  # the customer is paying at the provider right now
        with self.assertRaises(UserError):
            self._create_tx(invoice)
        self.env.cr.execute("UPDATE payment_transaction SET create_date = now() - interval '1 hour' WHERE id = %s", [tx.id])
        tx.invalidate_recordset(['create_date'])
        self._create_tx(invoice)

    def test_duplicate_guard_off_is_stock(self):
        self.company.portal_prevent_duplicate_payment = False
        invoice = self._create_invoice(self.contact_1, 100.0)
        self._create_tx(invoice, state='pending')
        tx_2 = self._create_tx(invoice)
        self.assertEqual(len(self._active_txs(invoice)), 2)
        self.assertTrue(tx_2)

    def test_refund_and_validation_not_blocked(self):
        invoice = self._create_invoice(self.contact_1, 100.0)
        self._create_tx(invoice, state='pending')
        refund = self._create_tx(invoice, amount=-10.0, operation='refund')
        self.assertEqual(refund.invoice_ids, invoice)

    def test_amount_validation(self):
        invoice = self._create_invoice(self.contact_1, 100.0)
        self.assertEqual(invoice._get_portal_payment_amount(100.0), 100.0)
        self.assertEqual(invoice._get_portal_payment_amount("100.00"), 100.0)
        for tampered in (0.01, 0, -1, -100.0, 100.01, 1e9, "1e9", float('nan'), "NaN", float('inf'),
                         "-1", "", None, True, [100.0], {'amount': 100.0}, "100,00", "0x64"):
            with self.assertRaises(UserError, msg=f"{tampered!r} must be refused"):
                invoice._get_portal_payment_amount(tampered)
        # The amount of a payment link set by the business is accepted.
        self.assertEqual(invoice._get_portal_payment_amount(30.0, allowed_amounts=[30.0]), 30.0)

    def test_partial_payment_bounds(self):
        invoice = self._create_invoice(self.contact_1, 100.0)
        invoice.allow_partial_payment = True
        self.assertEqual(invoice._get_portal_payment_amount(0.01), 0.01)
        self.assertEqual(invoice._get_portal_payment_amount("40.5"), 40.5)
        self.assertEqual(invoice._get_portal_payment_amount(100.0), 100.0)
        for tampered in (0, 0.001, -1, 100.01, "1e9", float('nan')):
            with self.assertRaises(UserError, msg=f"{tampered!r} must be refused"):
                invoice._get_portal_payment_amount(tampered)

    def test_bank_methods_only_for_allowed_customers(self):
        ach = self.env.ref('payment.payment_method_ach_direct_debit')
        card = self.env.ref('payment.payment_method_card')
        self.provider.payment_method_ids = [Command.link(ach.id), Command.link(card.id)]
        (ach + card).active = True
        PaymentMethod = self.env['payment.method']

        def offered(partner):
            return PaymentMethod._get_compatible_payment_methods(
                self.provider.ids, partner.id, currency_id=self.env.ref('base.USD').id)

        self.assertNotIn(ach, offered(self.contact_1))
        self.assertIn(card, offered(self.contact_1))
        invoice = self._create_invoice(self.contact_1, 100.0)
        with self.assertRaises(UserError):
            self._create_tx(invoice, payment_method_id=ach.id)
        self.customer.portal_allow_bank_payment = True
        self.assertIn(ach, offered(self.contact_1), "The flag of the customer company applies to its contacts")
        self.assertIn(card, offered(self.contact_1))
        self.assertNotIn(ach, offered(self.other_customer))
        self.assertTrue(self._create_tx(invoice, payment_method_id=ach.id))


@tagged('post_install', '-at_install')
class TestPaymentGuardRoutes(PortalPaymentCommon, PortalPaymentHttpMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal_payment_data()

    def _payment_link_token(self, *values):
        # payment.utils.generate_access_token, outside of a request
        return hmac_tool(self.env(su=True), 'generate_access_token', '|'.join(str(val) for val in values))

    def _invoice_transaction(self, invoice, **params):
        return self._jsonrpc(f'/invoice/transaction/{invoice.id}', self._tx_params(
            access_token=invoice._portal_ensure_token(), **params))

    def test_every_pay_route_refuses_pending_invoice(self):
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
        self._assert_rpc_error(self._jsonrpc('/invoice/transaction/overdue', self._tx_params(
            payment_reference='X', amount=100.0)), "being processed")
        # Our bulk route, and its page.
        self._assert_rpc_error(self._jsonrpc('/my/invoices/pay/transaction', self._tx_params(
            invoice_ids=[invoice.id], amount=100.0)), "being processed")
        page = self.url_open(f'/my/invoices/pay?invoice_ids={invoice.id}')
        self.assertIn("being processed", page.text)
        self.assertNotIn('o_payment_form', page.text)
        # The payment link.
        token = self._payment_link_token(invoice.partner_id.id, 100.0, invoice.currency_id.id)
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
        invoice = self._create_invoice(self.contact_1, 100.0)
        token = self._payment_link_token(invoice.partner_id.id, 30.0, invoice.currency_id.id)
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        page = self.url_open(f'/payment/pay?invoice_id={invoice.id}&amount=30.0&access_token={token}')
        self.assertIn('id="o_payment_form"', page.text)
        self.assertIn('result', self._invoice_transaction(invoice, amount=30.0))
        self.assertEqual(self._active_txs(invoice).amount, 30.0)

    def test_duplicate_guard_off_is_stock(self):
        self.company.portal_prevent_duplicate_payment = False
        invoice = self._create_invoice(self.contact_1, 100.0)
        self._create_tx(invoice, state='pending')
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        self.assertIn('result', self._invoice_transaction(invoice, amount=100.0))
        self.assertEqual(len(self._active_txs(invoice)), 2)

    def test_tampered_amounts_refused(self):
        invoice = self._create_invoice(self.contact_1, 100.0)
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        for amount in (0.01, -1, 100.01, "1e9", 1e9, None):
            self._assert_rpc_error(self._invoice_transaction(invoice, amount=amount))
        params = self._tx_params(access_token=invoice._portal_ensure_token())
        raw = ', '.join(f'"{key}": {value}' for key, value in (
            ('provider_id', self.provider.id), ('payment_method_id', self.payment_method.id),
            ('flow', '"direct"'), ('tokenization_requested', 'false'), ('landing_route', '"/my"'),
            ('is_validation', 'false'), ('access_token', f'"{params["access_token"]}"'),
        ))
        for amount in ('NaN', 'Infinity', '-Infinity', '[100]', '{"a": 1}'):
            self._assert_rpc_error(self._jsonrpc(
                f'/invoice/transaction/{invoice.id}', raw_params='{%s, "amount": %s}' % (raw, amount)))
        # Another currency is refused.
        self._assert_rpc_error(self._invoice_transaction(
            invoice, amount=100.0, currency_id=self.other_currency.id))
        self.assertFalse(self._active_txs(invoice), "Nothing was created")
        # The full amount works.
        self.assertIn('result', self._invoice_transaction(invoice, amount=100.0))

    def test_bank_methods_on_the_invoice_page(self):
        ach = self.env.ref('payment.payment_method_ach_direct_debit')
        self.provider.payment_method_ids = [Command.link(ach.id)]
        ach.active = True
        invoice = self._create_invoice(self.contact_1, 100.0, currency=self.env.ref('base.USD'))
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        page = self.url_open(f'/my/invoices/{invoice.id}')
        self.assertIn('data-payment-method-code="demo"', page.text, "Cards and other methods for everyone")
        self.assertNotIn('data-payment-method-code="ach_direct_debit"', page.text)
        self._assert_rpc_error(self._invoice_transaction(invoice, amount=100.0, payment_method_id=ach.id), "bank account")
        self.assertFalse(self._active_txs(invoice))
        self.customer.portal_allow_bank_payment = True
        page = self.url_open(f'/my/invoices/{invoice.id}')
        self.assertIn('data-payment-method-code="ach_direct_debit"', page.text)
        self.assertIn('result', self._invoice_transaction(invoice, amount=100.0, payment_method_id=ach.id))

    def test_partial_payment_route(self):
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


@tagged('post_install', '-at_install')
class TestPaymentGuardConcurrency(BaseCase):
    """Real concurrent transactions on committed data: exactly one payment per invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env.company.portal_prevent_duplicate_payment = True
            if not env.company.chart_template:
                env['account.chart.template'].try_loading('generic_coa', env.company, install_demo=False)
            partner = env['res.partner'].create({'name': 'Concurrent Customer'})
            invoices = env['account.move'].create([{
                'move_type': 'out_invoice',
                'partner_id': partner.id,
                'invoice_line_ids': [Command.create({'name': 'Line', 'quantity': 1, 'price_unit': 100.0, 'tax_ids': []})],
            } for _i in range(4)])
            invoices.action_post()
            cls.partner_id = partner.id
            cls.invoice_ids = invoices.ids
            cls.provider_id = env.ref('payment.payment_provider_demo').id
            cls.payment_method_id = env.ref('payment_demo.payment_method_demo').id
            cls.currency_id = invoices[0].currency_id.id
        cls.addClassCleanup(cls._cleanup_data)

    @classmethod
    def _cleanup_data(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env['payment.transaction'].search([('invoice_ids', 'in', cls.invoice_ids)]).unlink()
            invoices = env['account.move'].browse(cls.invoice_ids).exists()
            invoices.button_draft()
            invoices.with_context(force_delete=True).unlink()
            env['res.partner'].browse(cls.partner_id).unlink()

    def _attempt(self, barrier, invoice_ids):
        with self.registry.cursor() as cr:
            # The test runner holds the registry lock: give the cursor its registry directly.
            cr.transaction = api.Transaction(self.registry)
            env = api.Environment(cr, SUPERUSER_ID, {})
            # Start the transaction (and its REPEATABLE READ snapshot) before the others commit.
            env['account.move'].browse(invoice_ids).mapped('name')
            barrier.wait(timeout=30)
            try:
                env['payment.transaction'].create({
                    'provider_id': self.provider_id,
                    'payment_method_id': self.payment_method_id,
                    'amount': 100.0 * len(invoice_ids),
                    'currency_id': self.currency_id,
                    'partner_id': self.partner_id,
                    'operation': 'online_direct',
                    'invoice_ids': [Command.set(invoice_ids)],
                })
                cr.commit()
                return 'created'
            except UserError as error:
                cr.rollback()
                return str(error)

    def _race(self, attempts):
        barrier = threading.Barrier(len(attempts))
        with ThreadPoolExecutor(max_workers=len(attempts)) as executor:
            futures = [executor.submit(self._attempt, barrier, invoice_ids) for invoice_ids in attempts]
            return [future.result(timeout=120) for future in futures]

    def _active_txs(self, invoice_id):
        with self.registry.cursor() as cr:
            cr.transaction = api.Transaction(self.registry)
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env['payment.transaction'].search_count([
                ('invoice_ids', 'in', [invoice_id]), ('state', 'in', ('draft', 'pending', 'authorized', 'done')),
            ])

    @mute_logger('odoo.sql_db')
    def test_two_simultaneous_attempts(self):
        invoice_id = self.invoice_ids[0]
        results = self._race([[invoice_id]] * 2)
        self.assertEqual(results.count('created'), 1, results)
        self.assertTrue(all('in progress' in r or 'being processed' in r for r in results if r != 'created'), results)
        self.assertEqual(self._active_txs(invoice_id), 1)

    @mute_logger('odoo.sql_db')
    def test_twenty_simultaneous_attempts(self):
        invoice_id = self.invoice_ids[1]
        results = self._race([[invoice_id]] * 20)
        self.assertEqual(results.count('created'), 1, results)
        self.assertEqual(self._active_txs(invoice_id), 1)

    @mute_logger('odoo.sql_db')
    def test_bulk_racing_single(self):
        invoice_a, invoice_b = self.invoice_ids[2:4]
        results = self._race([[invoice_a, invoice_b], [invoice_b]])
        self.assertEqual(results.count('created'), 1, results)
        self.assertEqual(self._active_txs(invoice_b), 1, "B is in exactly one payment")

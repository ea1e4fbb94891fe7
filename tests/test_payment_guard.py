import ast
import html
import threading
from concurrent.futures import ThreadPoolExecutor

from lxml import etree

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import BaseCase, HttpCase, TransactionCase, new_test_user, tagged
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


    def test_refusals_say_which_payment_and_until_when(self):
        """Issue 8, item 20: every refusal names the payment in progress and when paying is
        possible again, in the reader's timezone."""
        self.env.user.tz = 'Asia/Tokyo'  # UTC+9, no daylight saving time
        invoice = self._create_invoice(self.contact_1, 100.0)
        draft = self._create_tx(invoice)  # abandoned at the provider?
        self.env.cr.execute(
            "UPDATE payment_transaction SET create_date = '2026-03-02 05:00:00' WHERE id = %s", [draft.id])
        draft.invalidate_recordset(['create_date'])
        message = invoice._get_portal_payment_in_progress_message(draft)
        self.assertIn(draft.reference, message)
        self.assertRegex(message.replace('\u202f', ' '), r"started on \S+ (2:00\sPM|14:00)",
                         "Started at 05:00 UTC: 14:00 in Tokyo")
        self.assertIn("you can pay again after", message)
        self.assertRegex(message.replace('\u202f', ' '), r"after (2:15\sPM|14:15)", "15 minutes after the start, in Tokyo time")

        invoice_2 = self._create_invoice(self.contact_1, 50.0)
        pending = self._create_tx(invoice_2, state='pending')
        with self.assertRaises(UserError) as caught:
            self._create_tx(invoice_2)
        self.assertIn(pending.reference, str(caught.exception))
        self.assertIn("You can pay again when it is cancelled or fails.", str(caught.exception))

    def test_billing_user_cancels_pending_bank_transfer(self):
        """Issue 8, item 19: a pending bank transfer the customer never sent no longer blocks the
        invoice for good: a billing user cancels it, the invoice says who did, and the invoice
        form lists the payments in progress."""
        transfer = self.env.ref('payment.payment_provider_transfer')
        transfer.write({'state': 'enabled', 'is_published': True, 'company_id': self.company.id})
        invoice = self._create_invoice(self.contact_1, 100.0)
        tx = self._create_tx(invoice, state='pending', provider_id=transfer.id,
                             payment_method_id=transfer.payment_method_ids[:1].id)
        self.assertEqual(tx.provider_code, 'custom')
        self.assertFalse(invoice._has_to_be_paid())
        self.assertEqual(invoice.portal_transaction_in_progress_ids, tx, "Shown on the invoice form")

        accountant = new_test_user(self.env, login='cp_pay_billing', name="Beatrice Billing",
                                   groups='account.group_account_invoice')
        employee = new_test_user(self.env, login='cp_pay_no_billing', groups='base.group_user')
        for user in (employee, self.portal_user_1):
            with self.assertRaises(AccessError):
                tx.with_user(user).action_portal_cancel_manual()
        self.assertEqual(tx.state, 'pending')
        # Only manual providers: a card payment pending at its provider is the provider's business.
        card_tx = self._create_tx(self._create_invoice(self.contact_1, 20.0), state='pending')
        with self.assertRaises(UserError):
            card_tx.with_user(accountant).action_portal_cancel_manual()

        tx.with_user(accountant).action_portal_cancel_manual()
        self.assertEqual(tx.state, 'cancel')
        self.assertIn("Beatrice Billing", tx.state_message)
        self.assertTrue(invoice._has_to_be_paid(), "The customer can pay online again")
        self.assertFalse(invoice.portal_transaction_in_progress_ids)
        [note] = invoice.message_ids.filtered(lambda msg: "cancelled the pending payment" in (msg.body or ''))
        self.assertIn(f"Beatrice Billing cancelled the pending payment {tx.reference}", note.body,
                      "The invoice says who cancelled")
        self.assertEqual(note.author_id, accountant.partner_id)
        self.assertEqual(note.subtype_id, self.env.ref('mail.mt_note'))
        with self.assertRaises(UserError, msg="Cancelled once"):
            tx.with_user(accountant).action_portal_cancel_manual()

        # The button on the transaction, the list action, the section of the invoice form.
        form = etree.fromstring(self.env['payment.transaction'].get_view(view_type='form')['arch'])
        self.assertTrue(form.xpath("//header/button[@name='action_portal_cancel_manual']"))
        action = self.env.ref('customer_portal.action_payment_transaction_cancel_manual')
        self.assertEqual(action.binding_model_id.model, 'payment.transaction')
        self.assertEqual(action.groups_id, self.env.ref('account.group_account_invoice'))
        move_form = etree.fromstring(self.env['account.move'].with_user(accountant).get_view(view_type='form')['arch'])
        [section] = move_form.xpath("//field[@name='portal_transaction_in_progress_ids']")
        self.assertEqual(
            section.xpath("list/field/@name")[:6],
            ['reference', 'provider_id', 'provider_code', 'create_date', 'currency_id', 'amount'])

    def test_allow_partial_payment_frozen_once_paid(self):
        """Issue 8, item 23: the switch sits next to the payment terms, is read-only once the
        invoice is paid (and refused by the model), and the invoice search has a filter for it."""
        invoice = self._create_invoice(self.contact_1, 100.0)
        invoice.allow_partial_payment = True
        self.env['account.payment.register'].with_context(active_model='account.move', active_ids=invoice.ids)\
            .create({'amount': 100.0})._create_payments()
        self.assertIn(invoice.payment_state, ('paid', 'in_payment'))
        with self.assertRaises(UserError):
            invoice.allow_partial_payment = False
        self.assertTrue(invoice.allow_partial_payment)
        invoice.allow_partial_payment = True  # writing the same value is harmless
        unpaid = self._create_invoice(self.contact_1, 10.0)
        unpaid.allow_partial_payment = True

        arch = etree.fromstring(self.env['account.move'].get_view(view_type='form')['arch'])
        [field] = arch.xpath("//field[@name='allow_partial_payment']")
        self.assertTrue(field.xpath("ancestor::group[@id='header_right_group']"), "Next to the payment terms")
        self.assertIn("payment_state in ('paid', 'in_payment', 'reversed')", field.get('readonly'))
        self.assertIn("move_type != 'out_invoice'", field.get('invisible'))
        search = etree.fromstring(self.env['account.move'].get_view(view_type='search')['arch'])
        [search_filter] = search.xpath("//filter[@name='allow_partial_payment']")
        self.assertEqual(search_filter.get('string'), "Allows partial payment")
        found = self.env['account.move'].search(
            ast.literal_eval(search_filter.get('domain')) + [('partner_id', '=', self.contact_1.id)])
        self.assertEqual(found, invoice + unpaid)


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

    def test_payment_link_never_charges_above_residual(self):
        """Issue 8, item 18: a payment link made for 100.00 before the invoice was paid 60.00
        charges the 40.00 still due, says so, and no route accepts more than is due."""
        invoice = self._create_invoice(self.contact_1, 100.0)
        token = self._payment_link_token(invoice.partner_id.id, 100.0, invoice.currency_id.id)
        self.env['account.payment.register'].with_context(active_model='account.move', active_ids=invoice.ids)\
            .create({'amount': 60.0})._create_payments()
        self.assertAlmostEqual(invoice.amount_residual, 40.0)
        residual, link = (self.currency.format(amount).replace('\xa0', ' ') for amount in (40.0, 100.0))

        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        page = self.url_open(f'/payment/pay?invoice_id={invoice.id}&amount=100.0&access_token={token}')
        self.assertEqual(page.status_code, 200)
        self.assertIn('o_cp_payment_link_capped', page.text)
        self.assertIn(f"This payment link asks for {link}, but only {residual} is still due on {invoice.name}",
                      html.unescape(page.text).replace('\xa0', ' '))
        self.assertIn('data-amount="40.0"', page.text, "The form charges the amount due")
        self.assertNotIn('data-amount="100.0"', page.text)
        # The page's notice cannot be forged by the URL.
        page = self.url_open(f'/payment/pay?invoice_id={invoice.id}&amount=100.0&access_token={token}'
                             '&portal_payment_link_notice=Forged')
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
        tx = self._create_tx(invoice, state='pending', provider_id=transfer.id,
                             payment_method_id=transfer.payment_method_ids[:1].id)
        accountant = new_test_user(self.env, login='cp_pay_tour_billing', name="Tess Tour",
                                   groups='account.group_account_invoice')
        self.start_tour(f'/odoo/action-account.action_move_out_invoice_type/{invoice.id}',
                        'customer_portal_payment_cancel_tour', login=accountant.login)
        self.assertEqual(tx.state, 'cancel')
        self.assertIn("Tess Tour", tx.state_message)
        self.assertTrue(invoice._has_to_be_paid())

    def test_payment_link_nothing_due_refused(self):
        """A link of an invoice with nothing left to pay creates nothing (stock's TestFlows
        test_invoice_payment_flow pays one: refused on purpose)."""
        invoice = self._create_invoice(self.contact_1, 100.0)
        token = self._payment_link_token(invoice.partner_id.id, 100.0, invoice.currency_id.id)
        self.env['account.payment.register'].with_context(active_model='account.move', active_ids=invoice.ids)\
            .create({'amount': 100.0})._create_payments()
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        self.url_open(f'/payment/pay?invoice_id={invoice.id}&amount=100.0&access_token={token}')
        self._assert_rpc_error(self._invoice_transaction(invoice, amount=100.0), "There is nothing left to pay on this invoice.")
        self.assertFalse(self._active_txs(invoice))

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
            } for _i in range(5)])
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

    def test_lock_refusal_names_the_payment(self):
        """Issue 8, item 20: the requests stopped by the lock are told which payment won, since
        when and until when, like every other refusal; an expected race logs no ERROR."""
        invoice_id = self.invoice_ids[4]
        with self.assertNoLogs(level='ERROR'):
            results = self._race([[invoice_id]] * 5)
        self.assertEqual(results.count('created'), 1, results)
        with self.registry.cursor() as cr:
            cr.transaction = api.Transaction(self.registry)
            env = api.Environment(cr, SUPERUSER_ID, {})
            reference = env['payment.transaction'].search([('invoice_ids', 'in', [invoice_id])]).reference
        for result in results:
            if result != 'created':
                self.assertIn(reference, result)
                self.assertIn("you can pay again after", result)

    @mute_logger('odoo.sql_db')
    def test_bulk_racing_single(self):
        invoice_a, invoice_b = self.invoice_ids[2:4]
        results = self._race([[invoice_a, invoice_b], [invoice_b]])
        self.assertEqual(results.count('created'), 1, results)
        self.assertEqual(self._active_txs(invoice_b), 1, "B is in exactly one payment")

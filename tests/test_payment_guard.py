import ast

from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common_payment import PortalPaymentCommon


@tagged('post_install', '-at_install')
class TestPaymentGuard(PortalPaymentCommon):
    """The duplicate-payment guard, amounts and partial payments on the models (issue 4)."""

    def test_pending_payment_blocks_new_payment(self):
        """A pending payment refuses a new one and names itself; no Pay button."""
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
        """Authorized payments and pending wire transfers block a new payment too."""
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
        """A cancelled or failed payment no longer blocks the invoice."""
        invoice = self._create_invoice(self.contact_1, 100.0)
        tx = self._create_tx(invoice, state='pending')
        tx._set_canceled()
        self.assertTrue(invoice._has_to_be_paid())
        tx_2 = self._create_tx(invoice, state='pending')
        tx_2._set_error("Refused by the bank")
        tx_3 = self._create_tx(invoice)
        self.assertEqual(self._active_txs(invoice), tx_3)

    def test_recent_draft_blocks_abandoned_draft_does_not(self):
        """A draft payment of the last minutes blocks; an abandoned one does not."""
        invoice = self._create_invoice(self.contact_1, 100.0)
        tx = self._create_tx(invoice)  # the customer is paying at the provider right now
        with self.assertRaises(UserError):
            self._create_tx(invoice)
        self.env.cr.execute(
            "UPDATE payment_transaction SET create_date = now() - interval '1 hour' WHERE id = %s", [tx.id]
        )
        tx.invalidate_recordset(['create_date'])
        self._create_tx(invoice)

    def test_duplicate_guard_off_is_stock(self):
        """With the guard off, a second payment is made as in stock Odoo."""
        self.company.portal_prevent_duplicate_payment = False
        invoice = self._create_invoice(self.contact_1, 100.0)
        self._create_tx(invoice, state='pending')
        tx_2 = self._create_tx(invoice)
        self.assertEqual(len(self._active_txs(invoice)), 2)
        self.assertTrue(tx_2)

    def test_refund_and_validation_not_blocked(self):
        """Refunds are not blocked by a pending payment."""
        invoice = self._create_invoice(self.contact_1, 100.0)
        self._create_tx(invoice, state='pending')
        refund = self._create_tx(invoice, amount=-10.0, operation='refund')
        self.assertEqual(refund.invoice_ids, invoice)

    def test_amount_validation(self):
        """Any amount but the residual, or a payment link's own amount, is refused."""
        invoice = self._create_invoice(self.contact_1, 100.0)
        self.assertEqual(invoice._get_portal_payment_amount(100.0), 100.0)
        self.assertEqual(invoice._get_portal_payment_amount("100.00"), 100.0)
        for tampered in (
            0.01,
            0,
            -1,
            -100.0,
            100.01,
            1e9,
            "1e9",
            float('nan'),
            "NaN",
            float('inf'),
            "-1",
            "",
            None,
            True,
            [100.0],
            {'amount': 100.0},
            "100,00",
            "0x64",
        ):
            with self.assertRaises(UserError, msg=f"{tampered!r} must be refused"):
                invoice._get_portal_payment_amount(tampered)
        # The amount of a payment link set by the business is accepted.
        self.assertEqual(invoice._get_portal_payment_amount(30.0, allowed_amounts=[30.0]), 30.0)

    def test_partial_payment_bounds(self):
        """A partial payment is refused below 0.01 and above the residual."""
        invoice = self._create_invoice(self.contact_1, 100.0)
        invoice.allow_partial_payment = True
        self.assertEqual(invoice._get_portal_payment_amount(0.01), 0.01)
        self.assertEqual(invoice._get_portal_payment_amount("40.5"), 40.5)
        self.assertEqual(invoice._get_portal_payment_amount(100.0), 100.0)
        for tampered in (0, 0.001, -1, 100.01, "1e9", float('nan')):
            with self.assertRaises(UserError, msg=f"{tampered!r} must be refused"):
                invoice._get_portal_payment_amount(tampered)

    def test_bank_methods_only_for_allowed_customers(self):
        """Bank payment methods are offered and accepted only for customers allowed to use them."""
        ach = self.env.ref('payment.payment_method_ach_direct_debit')
        card = self.env.ref('payment.payment_method_card')
        self.provider.payment_method_ids = [Command.link(ach.id), Command.link(card.id)]
        (ach + card).active = True
        PaymentMethod = self.env['payment.method']

        def offered(partner):
            return PaymentMethod._get_compatible_payment_methods(
                self.provider.ids, partner.id, currency_id=self.env.ref('base.USD').id
            )

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
            "UPDATE payment_transaction SET create_date = '2026-03-02 05:00:00' WHERE id = %s", [draft.id]
        )
        draft.invalidate_recordset(['create_date'])
        message = invoice._get_portal_payment_in_progress_message(draft)
        self.assertIn(draft.reference, message)
        self.assertRegex(
            message.replace('\u202f', ' '), r"started on \S+ (2:00\sPM|14:00)", "Started at 05:00 UTC: 14:00 in Tokyo"
        )
        self.assertIn("you can pay again after", message)
        self.assertRegex(
            message.replace('\u202f', ' '), r"after (2:15\sPM|14:15)", "15 minutes after the start, in Tokyo time"
        )

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
        tx = self._create_tx(
            invoice, state='pending', provider_id=transfer.id, payment_method_id=transfer.payment_method_ids[:1].id
        )
        self.assertEqual(tx.provider_code, 'custom')
        self.assertFalse(invoice._has_to_be_paid())
        self.assertEqual(invoice.portal_transaction_in_progress_ids, tx, "Shown on the invoice form")

        accountant = new_test_user(
            self.env, login='cp_pay_billing', name="Beatrice Billing", groups='account.group_account_invoice'
        )
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
        self.assertIn(
            f"Beatrice Billing cancelled the pending payment {tx.reference}",
            note.body,
            "The invoice says who cancelled",
        )
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
            ['reference', 'provider_id', 'provider_code', 'create_date', 'currency_id', 'amount'],
        )

    def test_allow_partial_payment_frozen_once_paid(self):
        """Issue 8, item 23: the switch sits next to the payment terms, is read-only once the
        invoice is paid (and refused by the model), and the invoice search has a filter for it."""
        invoice = self._create_invoice(self.contact_1, 100.0)
        invoice.allow_partial_payment = True
        self.env['account.payment.register'].with_context(active_model='account.move', active_ids=invoice.ids).create(
            {'amount': 100.0}
        )._create_payments()
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
            ast.literal_eval(search_filter.get('domain')) + [('partner_id', '=', self.contact_1.id)]
        )
        self.assertEqual(found, invoice + unpaid)

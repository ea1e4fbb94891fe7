# Part of customer_portal. See LICENSE file for full copyright and licensing details.
import base64

from odoo import Command
from odoo.tests import tagged
from odoo.tools import file_open

from .common_payment import PortalPaymentHttpCommon
from .common_portal_account import PortalAccountCommon

PAY_REFUSED = "does not allow you to make payments"
APPROVE_REFUSED = "does not allow you to accept or decline estimates"


@tagged('post_install', '-at_install')
class TestPortalPermissionPay(PortalPaymentHttpCommon):
    """A9 "Pay": a contact without it starts no payment on any route (no transaction); its colleague does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact_1.portal_permission_preset = 'view'
        cls.invoice = cls._create_invoice(cls.contact_1, 100.0)

    def _transactions(self):
        return self.env['payment.transaction'].search([('invoice_ids', 'in', self.invoice.ids)])

    def test_pay_refused_without_permission(self):
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        token = self.invoice._portal_ensure_token()
        answer = self._jsonrpc(
            f'/invoice/transaction/{self.invoice.id}', self._tx_params(access_token=token, amount=100.0)
        )
        self._assert_rpc_error(answer, PAY_REFUSED)
        answer = self._jsonrpc(
            '/my/invoices/pay/transaction', self._tx_params(invoice_ids=[self.invoice.id], amount=100.0)
        )
        self._assert_rpc_error(answer, PAY_REFUSED)
        answer = self._jsonrpc('/invoice/transaction/overdue', self._tx_params(payment_reference='X', amount=100.0))
        self.assertIn('error', answer)
        self.assertFalse(self._transactions(), "nothing was created")

    def test_colleague_with_permission_pays(self):
        self.authenticate('cp_pay_bob', 'cp_pay_bob')
        token = self.invoice._portal_ensure_token()
        answer = self._jsonrpc(
            f'/invoice/transaction/{self.invoice.id}', self._tx_params(access_token=token, amount=100.0)
        )
        self.assertIn('result', answer, answer)
        self.assertEqual(len(self._transactions()), 1)

    def test_view_and_pay_preset_pays(self):
        self.contact_1.portal_permission_preset = 'view_pay'
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        answer = self._jsonrpc(
            '/my/invoices/pay/transaction', self._tx_params(invoice_ids=[self.invoice.id], amount=100.0)
        )
        self.assertIn('result', answer, answer)
        self.assertEqual(len(self._transactions()), 1)


@tagged('post_install', '-at_install')
class TestPortalPermissionApprove(PortalAccountCommon):
    """A9 "Accept or decline estimates": a contact without it neither signs nor declines (403, the quotation
    unchanged); its colleague does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.quotation = cls.env['sale.order'].create(
            {
                'partner_id': cls.customer.id,
                'require_signature': True,
                'require_payment': False,
                'order_line': [Command.create({'product_id': cls.service.id, 'product_uom_qty': 2})],
            }
        )
        cls.quotation.action_quotation_sent()
        cls.contact_a.portal_permission_preset = 'view_pay'
        with file_open('web/static/img/logo.png', 'rb') as image:
            cls.signature = base64.b64encode(image.read()).decode()

    def _accept(self):
        return self.make_jsonrpc_request(
            f'/my/orders/{self.quotation.id}/accept',
            {'name': 'Someone', 'signature': self.signature, 'access_token': self.quotation.access_token},
        )

    def _decline(self):
        page = self.url_open(f'/my/orders/{self.quotation.id}')
        self.assertEqual(page.status_code, 200)
        return self.url_open(
            f'/my/orders/{self.quotation.id}/decline',
            data={'decline_message': 'Too expensive', 'csrf_token': self._csrf_token(page.text)},
        )

    def test_accept_and_decline_refused_without_permission(self):
        self._login(self.portal_user)
        page = self.url_open(self.quotation.get_portal_url()).text
        self.assertNotIn('data-bs-target="#modalaccept"', page, "no Accept button")
        self.assertNotIn('data-bs-target="#modaldecline"', page, "no Decline button")
        answer = self._accept()
        self.assertIn(APPROVE_REFUSED, answer.get('error', ''))
        response = self._decline()
        self.assertEqual(response.status_code, 403)
        self.assertIn(APPROVE_REFUSED, response.text)
        self.quotation.invalidate_recordset()
        self.assertEqual(self.quotation.state, 'sent')
        self.assertFalse(self.quotation.signature)
        self.assertFalse(self.quotation.signed_by)

    def test_colleague_with_permission_accepts(self):
        self._login(self.colleague_user)
        self.assertIn('data-bs-target="#modalaccept"', self.url_open(self.quotation.get_portal_url()).text)
        answer = self._accept()
        self.assertNotIn('error', answer)
        self.quotation.invalidate_recordset()
        self.assertEqual(self.quotation.state, 'sale')
        self.assertEqual(self.quotation.signed_by, 'Someone')

    def test_colleague_with_permission_declines(self):
        self._login(self.colleague_user)
        self.assertEqual(self._decline().status_code, 200)
        self.assertEqual(self.quotation.state, 'cancel')

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

    def test_no_pay_button_without_permission(self):
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        page = self.url_open(self.invoice.get_portal_url()).text
        self.assertIn(self.invoice.name, page)
        self.assertNotIn('data-bs-target="#pay_with"', page)
        self.assertNotIn('o_cp_bulk_payment_bar', self.url_open('/my/invoices').text)
        self.authenticate('cp_pay_bob', 'cp_pay_bob')
        self.assertIn('data-bs-target="#pay_with"', self.url_open(self.invoice.get_portal_url()).text)
        self.assertIn('o_cp_bulk_payment_bar', self.url_open('/my/invoices').text)

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

    def test_no_accept_and_pay_button_without_permission(self):
        """A quotation to pay (Accept & Pay): no button for a contact who may pay but not answer estimates."""
        self.quotation.write({'require_signature': False, 'require_payment': True})
        self._login(self.portal_user)
        page = self.url_open(self.quotation.get_portal_url()).text
        self.assertIn(self.quotation.name, page)
        self.assertNotIn('data-bs-target="#modalaccept"', page)
        self._login(self.colleague_user)
        self.assertIn('data-bs-target="#modalaccept"', self.url_open(self.quotation.get_portal_url()).text)

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


@tagged('post_install', '-at_install')
class TestPortalPermissionForward(PortalAccountCommon):
    """A9 "Forward documents": a contact without it gets no Forward button and the route refuses it (403,
    nothing sent); its colleague forwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.portal_allow_forward = True
        cls.contact_a.portal_permission_preset = 'view_pay'
        cls.url = f'/my/invoices/{cls.inv1.id}/forward'

    def _mails(self):
        return self.env['mail.mail'].sudo().search([('email_to', 'ilike', 'carol.fw@acme.example')])

    def test_forward_refused_without_permission(self):
        self._login(self.portal_user)
        csrf = self._csrf_token(self.url_open('/my/account').text)  # a form of this session
        self.assertNotIn('o_cp_forward_btn', self.url_open(self.inv1.get_portal_url()).text)
        page = self.url_open(self.url)
        self.assertEqual(page.status_code, 403)
        self.assertIn("does not allow you to forward documents", page.text)
        response = self.url_open(
            self.url, data={'csrf_token': csrf, 'recipient_name': 'Carol', 'recipient_email': 'carol.fw@acme.example'}
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self._mails(), "nothing sent")

    def test_colleague_with_permission_forwards(self):
        self._login(self.colleague_user)
        self.assertIn('o_cp_forward_btn', self.url_open(self.inv1.get_portal_url()).text)
        self.assertEqual(self.url_open(self.url).status_code, 200)


@tagged('post_install', '-at_install')
class TestPortalPermissionEdit(PortalAccountCommon):
    """A9 "Edit the company's details and contacts": a contact without it has no edit button on My Details and
    every edit route refuses it (403, no partner written); its colleague edits."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.portal_allow_uploads = True
        cls.contact_a.portal_permission_preset = 'view_pay'

    def test_edit_refused_without_permission(self):
        self._login(self.portal_user)
        overview = self.url_open('/my/details')
        self.assertEqual(overview.status_code, 200)
        self.assertNotIn('o_cp_details_edit_company', overview.text)
        self.assertNotIn('o_cp_details_add_contact', overview.text)
        token = self._csrf_token(self.url_open('/my/account').text)
        before = self.customer.read(['name', 'phone'])
        for url, data in (
            ('/my/details/company', {'name': 'Hijacked Co', 'phone': '000'}),
            ('/my/details/contact/new', {'name': 'Intruder', 'email': 'intruder@acme.example'}),
            ('/my/details/address/new', {'name': 'Depot', 'street': '1 Road', 'city': 'Town'}),
            (f'/my/details/contact/{self.contact_b.id}/archive', {}),
        ):
            response = self.url_open(url, data={'csrf_token': token, **data}, allow_redirects=False)
            self.assertEqual(response.status_code, 403, url)
            self.assertIn("does not allow you to edit your company", response.text)
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.read(['name', 'phone']), before)
        self.assertFalse(self.env['res.partner'].search([('name', 'in', ('Intruder', 'Depot'))]))
        self.assertTrue(self.contact_b.active)

    def test_colleague_with_permission_edits(self):
        self._login(self.colleague_user)
        self.assertIn('o_cp_details_edit_company', self.url_open('/my/details').text)
        self.assertEqual(self.url_open('/my/details/company').status_code, 200)


@tagged('post_install', '-at_install')
class TestPortalPermissionUpload(PortalAccountCommon):
    """A9 "Upload": a contact without it has no upload form and the route refuses it (403, no attachment); its
    colleague uploads."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.portal_allow_uploads = True
        cls.contact_a.portal_permission_preset = 'view_pay'

    def _upload(self):
        token = self._csrf_token(self.url_open('/my/account').text)
        return self.url_open(
            '/my/documents/upload',
            data={'csrf_token': token},
            files={'attachment': ('note.txt', b'A note from the customer', 'text/plain')},
            allow_redirects=False,
        )

    def _attachments(self):
        return self.env['ir.attachment'].search_count([('res_model', '=', 'customer_portal.shared.document')])

    def test_upload_refused_without_permission(self):
        self._login(self.portal_user)
        page = self.url_open('/my/documents')
        self.assertEqual(page.status_code, 200)
        self.assertNotIn('/my/documents/upload', page.text)
        before = self._attachments()
        response = self._upload()
        self.assertEqual(response.status_code, 403)
        self.assertIn("does not allow you to upload documents", response.text)
        self.assertEqual(self._attachments(), before)

    def test_colleague_with_permission_uploads(self):
        self._login(self.colleague_user)
        self.assertIn('/my/documents/upload', self.url_open('/my/documents').text)
        before = self._attachments()
        self.assertEqual(self._upload().status_code, 303)
        self.assertEqual(self._attachments(), before + 1)

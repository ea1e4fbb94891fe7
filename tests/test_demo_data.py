import base64
import io
from pathlib import Path

from PIL import Image

from odoo.tests import BaseCase, TransactionCase, tagged
from odoo.tests.loader import get_test_modules

from .common import PortalHttpCase


def skip_or_fail_without_demo(case):
    """Skip in a database made without demo data; fail when demo data was asked for but ours did
    not load (Odoo then installs the module without it, with only a warning in the log)."""
    if case.env.ref('customer_portal.partner_northwind', raise_if_not_found=False):
        return
    failure = case.env['ir.demo_failure'].sudo().search([('module_id.name', '=', 'customer_portal')], limit=1)
    if failure:
        case.fail(f"the demo data of customer_portal failed to load:\n{failure.error}")
    case.skipTest("installed without demo data")


def send_queued_invoices(env):
    """What the server's "Send invoices automatically" job does once started (no cron runs in tests)."""
    for _run in range(10):
        if not env['account.move'].search_count([('sending_data', '!=', False)], limit=1):
            break
        env['account.move']._cron_account_move_send(job_count=20)


@tagged('post_install', '-at_install')
class TestDemoData(TransactionCase):
    """The demo data a prospect explores: enough customers, documents in every state, dated from today."""

    def setUp(self):
        super().setUp()
        skip_or_fail_without_demo(self)
        self.customers = self.env['res.partner'].browse(
            [self.env.ref(f'customer_portal.partner_{key}').id for key in ('northwind', 'bluebird', 'harbor')]
        )
        self.moves = self.env['account.move'].search(
            [('partner_id', 'child_of', self.customers.ids), ('move_type', 'in', ('out_invoice', 'out_refund'))]
        )

    def test_customers_have_portal_contacts(self):
        """Each demo customer has at least two portal contacts."""
        for customer in self.customers:
            users = self.env['res.users'].search([('partner_id', 'child_of', customer.id)])
            self.assertGreaterEqual(len(users), 2, customer.name)
            self.assertTrue(all(user._is_portal() for user in users))
        self.assertTrue(self.env.ref('base.main_company')._get_portal_banner())

    def test_invoices_in_every_state(self):
        """The demo invoices cover every state a customer meets (draft, open, overdue, partial, paid)."""
        invoices = self.moves.filtered(lambda m: m.move_type == 'out_invoice')
        self.assertGreaterEqual(len(invoices), 30)
        today = self.env.cr.now().date()
        posted = invoices.filtered(lambda m: m.state == 'posted')
        self.assertTrue(invoices.filtered(lambda m: m.state == 'draft'))
        self.assertTrue(invoices.filtered(lambda m: m.state == 'cancel'))
        self.assertTrue(posted.filtered(lambda m: m.payment_state == 'not_paid' and m.invoice_date_due >= today))
        self.assertTrue(
            posted.filtered(lambda m: m.payment_state == 'not_paid' and m.invoice_date_due < today),
            "overdue invoices stay overdue whatever the day of the install",
        )
        self.assertTrue(posted.filtered(lambda m: m.payment_state == 'partial'))
        self.assertTrue(posted.filtered(lambda m: m.payment_state in ('paid', 'in_payment')))
        down_payments = posted.filtered(
            lambda m: (
                m.invoice_line_ids.sale_line_ids.filtered('is_downpayment')
                and not m.invoice_line_ids.filtered(lambda aml: aml.quantity < 0)
            )
        )
        self.assertGreaterEqual(len(down_payments), 3)
        self.assertTrue(down_payments.filtered(lambda m: m.payment_state == 'not_paid'))

    def test_credit_notes_applied_and_refunded(self):
        """The demo has credit notes applied to invoices and refunded."""
        credit_notes = self.moves.filtered(lambda m: m.move_type == 'out_refund' and m.state == 'posted')
        reconciled_with = credit_notes.line_ids.matched_debit_ids.debit_move_id.move_id
        self.assertTrue(reconciled_with.filtered(lambda m: m.move_type == 'out_invoice'), "a credit note applied")
        self.assertTrue(reconciled_with.filtered(lambda m: m.origin_payment_id), "a credit note refunded")
        self.assertTrue(credit_notes.filtered(lambda m: m.payment_state == 'not_paid'), "a credit available")

    def test_orders_and_payments(self):
        """The demo has quotations, invoiced orders and payments."""
        orders = self.env['sale.order'].search([('partner_id', 'child_of', self.customers.ids)])
        self.assertTrue(orders.filtered(lambda o: o.state == 'sent'))
        self.assertTrue(orders.filtered(lambda o: o.state == 'sale' and o.invoice_status == 'invoiced'))
        self.assertTrue(orders.filtered(lambda o: o.state == 'sale' and o.invoice_status == 'to invoice'))
        payments = self.env['account.payment'].search(
            self.env['account.payment']._get_portal_payment_domain(self.customers[0])
        )
        self.assertTrue(payments.filtered('payment_transaction_id'), "an online payment")
        self.assertTrue(payments.filtered(lambda p: not p.payment_transaction_id), "an offline payment")
        if self.env['ir.module.module']._get('payment_demo').state == 'installed':
            states = set(
                self.env['payment.transaction']
                .search([('partner_id', 'child_of', self.customers[0].id)])
                .mapped('state')
            )
            self.assertLessEqual({'pending', 'done', 'cancel'}, states)

    def test_posted_documents_are_sent(self):
        """Sent as Odoo sends several invoices: queued for its background job, which attaches the
        legal PDF and marks each sent; by download, no email (24)."""
        posted = self.moves.filtered(lambda m: m.state == 'posted')
        self.assertGreaterEqual(len(posted), 30)
        self.assertFalse(
            posted.filtered(lambda m: not m.is_move_sent and not m.sending_data),
            "every posted document is sent or queued to be",
        )
        send_queued_invoices(self.env)
        self.assertFalse(posted.filtered(lambda m: not m.is_move_sent), "every posted document is sent")
        self.assertFalse(
            posted.filtered(lambda m: not m.invoice_pdf_report_id),
            "every posted document has its invoice PDF, none shows as PROFORMA",
        )
        self.assertFalse(
            self.env['mail.mail'].search([('model', '=', 'account.move'), ('res_id', 'in', posted.ids)]),
            "no email leaves a demo database",
        )

    def test_payment_options(self):
        """Both providers published (25); a partial payment allowed; a bank-debit customer (26)."""
        transfer = self.env.ref('payment.payment_provider_transfer', raise_if_not_found=False)
        if transfer and transfer.module_state == 'installed':
            self.assertEqual(transfer.state, 'enabled')
            self.assertTrue(transfer.is_published, "customers see Wire Transfer beside paying online")
        partial = self.moves.filtered(lambda m: m.allow_partial_payment)
        self.assertTrue(
            partial.filtered(lambda m: m.state == 'posted' and m.amount_residual > 0),
            "an invoice still due may be paid in part",
        )
        allowed = self.customers.filtered('portal_allow_bank_payment')
        self.assertEqual(allowed, self.env.ref('customer_portal.partner_northwind'))
        demo = self.env.ref('payment.payment_provider_demo', raise_if_not_found=False)
        if demo and demo.module_state == 'installed':
            ach = self.env.ref('payment.payment_method_ach_direct_debit')
            self.assertTrue(ach.active)
            self.assertIn(demo, ach.provider_ids, "the demo provider offers a bank debit")

    def test_salesperson_and_logos(self):
        """A person sells to the demo customers, not OdooBot; each customer company has a logo (27)."""
        sarah = self.env.ref('customer_portal.user_sarah_lee')
        self.assertFalse(sarah.share, "an internal user")
        self.assertTrue(sarah.has_group('sales_team.group_sale_salesman'))
        self.assertEqual(self.moves.invoice_user_id, sarah)
        orders = self.env['sale.order'].search([('partner_id', 'child_of', self.customers.ids)])
        self.assertTrue(orders)
        self.assertEqual(orders.user_id, sarah)
        self.assertNotIn(self.env.ref('base.user_root'), self.moves.invoice_user_id | orders.user_id)
        for customer in self.customers:
            self.assertTrue(customer.image_1920, customer.name)
            logo = Image.open(io.BytesIO(base64.b64decode(customer.image_1920)))
            self.assertEqual(logo.format, 'PNG')
            self.assertGreaterEqual(min(logo.size), 128)


@tagged('post_install', '-at_install')
class TestDemoDataPortal(PortalHttpCase):
    """What a demo customer reads: invoices that are not PROFORMA, both providers, a bank debit
    for the customer allowed to pay by bank account only."""

    def setUp(self):
        super().setUp()
        skip_or_fail_without_demo(self)
        send_queued_invoices(self.env)

    def _overdue_invoice(self, customer_xmlid):
        return self.env['account.move'].search(
            [
                ('partner_id', '=', self.env.ref(customer_xmlid).id),
                ('move_type', '=', 'out_invoice'),
                ('state', '=', 'posted'),
                ('payment_state', '=', 'not_paid'),
                ('invoice_date_due', '<', self.env.cr.now().date()),
            ],
            order='invoice_date_due',
            limit=1,
        )

    def _open_as(self, login, url):
        self._login_form(login, 'portal-demo')
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        return page.text

    def test_invoice_is_not_proforma(self):
        """A demo customer's invoice prints as an invoice, not a pro-forma."""
        invoice = self._overdue_invoice('customer_portal.partner_northwind')
        report = self._open_as('emma.wilson@northwind.example', f'/my/invoices/{invoice.id}?report_type=html')
        self.assertIn(invoice.name, report)
        self.assertNotIn('PROFORMA', report.upper())
        self.assertIn('Sarah Lee', self.url_open(f'/my/invoices/{invoice.id}').text, "the salesperson")

    def test_payment_options_on_the_invoice(self):
        """A demo invoice offers the payment options its customer may use, no bank debit when not allowed."""
        if (
            self.env['ir.module.module']._get('payment_demo').state != 'installed'
            or self.env['ir.module.module']._get('payment_custom').state != 'installed'
        ):
            self.skipTest("the demo is installed without payment_demo and payment_custom")
        invoice = self._overdue_invoice('customer_portal.partner_northwind')
        page = self._open_as('emma.wilson@northwind.example', f'/my/invoices/{invoice.id}')
        for method in ('Demo', 'Wire Transfer', 'ACH Direct Debit'):
            self.assertIn(method, page, "Northwind may pay by card, bank transfer and bank debit")
        self.url_open('/web/session/logout')
        invoice = self._overdue_invoice('customer_portal.partner_bluebird')
        page = self._open_as('olivia.brown@bluebird.example', f'/my/invoices/{invoice.id}')
        self.assertIn('Wire Transfer', page)
        self.assertNotIn('ACH Direct Debit', page, "no bank debit for a customer not allowed to use one")


@tagged('post_install', '-at_install')
class TestSuiteImportsEveryModule(BaseCase):
    """Odoo runs only the test modules that tests/__init__.py imports: none is left out (28)."""

    def test_every_test_module_is_imported(self):
        """Every tests/test_*.py module is imported by tests/__init__.py, so that it runs."""
        loaded = {module.__name__.rsplit('.', 1)[-1] for module in get_test_modules('customer_portal')}
        on_disk = {path.stem for path in Path(__file__).resolve().parent.glob('test_*.py')}
        self.assertTrue(on_disk)
        self.assertFalse(on_disk - loaded, "test modules that tests/__init__.py does not import: they never run")

from odoo.tests import TransactionCase, tagged


@tagged('post_install', '-at_install')
class TestDemoData(TransactionCase):
    """The demo data a prospect explores: enough customers, documents in every state, dated from today."""

    def setUp(self):
        super().setUp()
        if not self.env.ref('customer_portal.partner_northwind', raise_if_not_found=False):
            self.skipTest("installed without demo data")
        self.customers = self.env['res.partner'].browse([
            self.env.ref(f'customer_portal.partner_{key}').id for key in ('northwind', 'bluebird', 'harbor')])
        self.moves = self.env['account.move'].search([
            ('partner_id', 'child_of', self.customers.ids), ('move_type', 'in', ('out_invoice', 'out_refund'))])

    def test_customers_have_portal_contacts(self):
        for customer in self.customers:
            users = self.env['res.users'].search([('partner_id', 'child_of', customer.id)])
            self.assertGreaterEqual(len(users), 2, customer.name)
            self.assertTrue(all(user._is_portal() for user in users))
        self.assertTrue(self.env.ref('base.main_company')._get_portal_banner())

    def test_invoices_in_every_state(self):
        invoices = self.moves.filtered(lambda m: m.move_type == 'out_invoice')
        self.assertGreaterEqual(len(invoices), 30)
        today = self.env.cr.now().date()
        posted = invoices.filtered(lambda m: m.state == 'posted')
        self.assertTrue(invoices.filtered(lambda m: m.state == 'draft'))
        self.assertTrue(invoices.filtered(lambda m: m.state == 'cancel'))
        self.assertTrue(posted.filtered(lambda m: m.payment_state == 'not_paid' and m.invoice_date_due >= today))
        self.assertTrue(posted.filtered(lambda m: m.payment_state == 'not_paid' and m.invoice_date_due < today),
                        "overdue invoices stay overdue whatever the day of the install")
        self.assertTrue(posted.filtered(lambda m: m.payment_state == 'partial'))
        self.assertTrue(posted.filtered(lambda m: m.payment_state in ('paid', 'in_payment')))
        down_payments = posted.filtered(lambda m: m.invoice_line_ids.sale_line_ids.filtered('is_downpayment')
                                        and not m.invoice_line_ids.filtered(lambda l: l.quantity < 0))
        self.assertGreaterEqual(len(down_payments), 3)
        self.assertTrue(down_payments.filtered(lambda m: m.payment_state == 'not_paid'))

    def test_credit_notes_applied_and_refunded(self):
        credit_notes = self.moves.filtered(lambda m: m.move_type == 'out_refund' and m.state == 'posted')
        reconciled_with = credit_notes.line_ids.matched_debit_ids.debit_move_id.move_id
        self.assertTrue(reconciled_with.filtered(lambda m: m.move_type == 'out_invoice'), "a credit note applied")
        self.assertTrue(reconciled_with.filtered(lambda m: m.origin_payment_id), "a credit note refunded")
        self.assertTrue(credit_notes.filtered(lambda m: m.payment_state == 'not_paid'), "a credit available")

    def test_orders_and_payments(self):
        orders = self.env['sale.order'].search([('partner_id', 'child_of', self.customers.ids)])
        self.assertTrue(orders.filtered(lambda o: o.state == 'sent'))
        self.assertTrue(orders.filtered(lambda o: o.state == 'sale' and o.invoice_status == 'invoiced'))
        self.assertTrue(orders.filtered(lambda o: o.state == 'sale' and o.invoice_status == 'to invoice'))
        payments = self.env['account.payment'].search(
            self.env['account.payment']._get_portal_payment_domain(self.customers[0]))
        self.assertTrue(payments.filtered('payment_transaction_id'), "an online payment")
        self.assertTrue(payments.filtered(lambda p: not p.payment_transaction_id), "an offline payment")
        if self.env['ir.module.module']._get('payment_demo').state == 'installed':
            states = set(self.env['payment.transaction'].search(
                [('partner_id', 'child_of', self.customers[0].id)]).mapped('state'))
            self.assertLessEqual({'pending', 'done', 'cancel'}, states)

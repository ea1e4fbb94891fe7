from lxml import html

from odoo.tests import tagged

from .common_payment import PortalPaymentHttpCommon

# Queries of the bulk payment page, the same for 10 and 200 invoices (23 measured).
BULK_PAGE_QUERIES = 30


@tagged('post_install', '-at_install')
class TestBulkPayment(PortalPaymentHttpCommon):
    """Paying several invoices of the customer company in one transaction (/my/invoices/pay)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice_a, cls.invoice_b = cls._create_invoices(cls.contact_1, [100.0, 250.5])
        cls.invoice_c = cls._create_invoice(cls.customer, 40.0)
        cls.foreign_invoice = cls._create_invoice(cls.other_customer, 999.0)

    def _bulk(self, invoice_ids, amount, **params):
        return self._jsonrpc(
            '/my/invoices/pay/transaction', self._tx_params(invoice_ids=invoice_ids, amount=amount, **params)
        )

    def test_bulk_page_pays_all_outstanding_of_the_company(self):
        """A contact pays every unpaid invoice of the company, not another customer's, at the server's total."""
        # Bob sees the invoices of his company, including those addressed to Anna.
        self.authenticate('cp_pay_bob', 'cp_pay_bob')
        page = self.url_open('/my/invoices/pay')
        self.assertEqual(page.status_code, 200)
        for invoice in self.invoice_a + self.invoice_b + self.invoice_c:
            self.assertIn(invoice.name, page.text)
        self.assertNotIn(self.foreign_invoice.name, page.text)
        self.assertIn('id="o_payment_form"', page.text)
        self.assertIn('data-amount="390.5"', page.text)
        self.assertIn(
            'data-portal-invoice-ids="%s"'
            % ','.join(
                str(i)
                for i in (self.invoice_a + self.invoice_b + self.invoice_c)
                .sorted(lambda inv: (inv.invoice_date_due, inv.id))
                .ids
            ),
            page.text,
        )

    def test_pending_invoice_left_out_of_all_outstanding(self):
        """An invoice with a payment in progress is left out of the bulk page, which names it and says why."""
        tx = self._create_tx(self.invoice_b, state='pending')
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        page = self.url_open('/my/invoices/pay')
        tree = html.fromstring(page.content)
        paid = {
            a.text_content().strip()
            for a in tree.xpath("//table[contains(@class, 'o_cp_bulk_payment_invoices')]/tbody//a")
        }
        self.assertEqual(paid, {self.invoice_a.name, self.invoice_c.name})
        self.assertIn('data-amount="140.0"', page.text)
        # The page names the invoice it leaves out, and why (issue 8, item 3).
        [excluded] = tree.xpath("//li[contains(@class, 'o_cp_bulk_payment_excluded_invoice')]")
        self.assertEqual(excluded.xpath('./a')[0].text_content().strip(), self.invoice_b.name)
        reason = ' '.join(
            excluded.xpath(".//*[contains(@class, 'o_cp_bulk_payment_excluded_reason')]")[0].text_content().split()
        )
        # The message of the model, as Anna reads it (her time zone and language).
        message = self.invoice_b.with_user(self.portal_user_1).sudo()._get_portal_payment_in_progress_message(tx)
        self.assertEqual(reason, ' '.join(message.split()))
        self.assertIn(tx.reference, reason)
        self.assertIn('250.50', excluded.text_content())
        # Outstanding total of the home = paid here + left out here.
        self.assertEqual(
            140.0 + self.invoice_b.amount_residual,
            sum((self.invoice_a + self.invoice_b + self.invoice_c).mapped('amount_residual')),
        )

    def test_everything_in_progress_says_so(self):
        """With a payment in progress on every invoice, the bulk page says so and offers no payment form."""
        self._create_tx(self.invoice_a + self.invoice_b + self.invoice_c, state='pending')
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        tree = html.fromstring(self.url_open('/my/invoices/pay').content)
        self.assertIn(
            'Every invoice you owe has a payment in progress.',
            tree.xpath("//*[contains(@class, 'o_cp_bulk_payment_error')]")[0].text_content(),
        )
        self.assertEqual(len(tree.xpath("//li[contains(@class, 'o_cp_bulk_payment_excluded_invoice')]")), 3)
        self.assertFalse(tree.xpath("//form[@id='o_payment_form']"))

    def test_invoice_list_says_why_there_is_no_pay_now(self):
        """The invoice list shows "Payment in progress" with its reason instead of Pay Now."""
        tx = self._create_tx(self.invoice_b, state='pending')
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        for bulk in (True, False):
            self.company.portal_bulk_payment = bulk
            tree = html.fromstring(self.url_open('/my/invoices').content)
            rows = {
                row.xpath('./td/a')[0].text_content().strip(): row
                for row in tree.xpath("//table[contains(@class, 'o_portal_my_doc_table')]/tbody/tr")
                if row.xpath('./td/a')
            }
            row_b = rows[self.invoice_b.name]
            [note] = row_b.xpath(".//*[contains(@class, 'o_cp_list_payment_in_progress')]")
            self.assertEqual(note.text_content().strip(), 'Payment in progress')
            self.assertEqual(
                note.get('title'),
                self.invoice_b.with_user(self.portal_user_1).sudo()._get_portal_payment_in_progress_message(tx),
            )
            self.assertFalse(row_b.xpath(".//a[@title='Pay Now']"))
            row_a = rows[self.invoice_a.name]
            self.assertTrue(row_a.xpath(".//a[@title='Pay Now']"))
            self.assertFalse(row_a.xpath(".//*[contains(@class, 'o_cp_list_payment_in_progress')]"))

    def test_breadcrumbs_name_no_invoice(self):
        """A loop variable "invoice" of the page leaked into stock account.portal_breadcrumbs
        ("Home / INV/2026/00009 / Pay Invoices")."""
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        for url in ('/my/invoices/pay', f'/my/invoices/pay?invoice_ids={self.invoice_a.id},{self.invoice_b.id}'):
            tree = html.fromstring(self.url_open(url).content)
            [breadcrumbs] = tree.xpath("//ol[contains(@class, 'o_portal_submenu')]")
            words = ' '.join(breadcrumbs.text_content().split())
            self.assertEqual(words, 'Invoices Pay Invoices', url)

    def test_bulk_payment_one_transaction_server_amount(self):
        """Paying selected invoices makes one transaction of the server's amount, which pays them all."""
        self.authenticate('cp_pay_bob', 'cp_pay_bob')
        page = self.url_open(f'/my/invoices/pay?invoice_ids={self.invoice_a.id},{self.invoice_b.id}')
        self.assertIn('data-amount="350.5"', page.text)
        answer = self._bulk([self.invoice_a.id, self.invoice_b.id], 350.5)
        self.assertIn('result', answer, answer)
        tx = self._active_txs(self.invoice_a)
        self.assertEqual(len(tx), 1)
        self.assertEqual(tx.invoice_ids, self.invoice_a + self.invoice_b)
        self.assertEqual(tx.amount, 350.5)
        self.assertEqual(tx.partner_id, self.contact_2)
        # Paying it completes both invoices.
        tx._set_done()
        tx._post_process()
        self.assertTrue(all(inv.payment_state in ('paid', 'in_payment') for inv in self.invoice_a + self.invoice_b))

    def test_replayed_notification_creates_one_payment(self):
        """A provider notification received three times makes one payment."""
        tx = self._create_tx(self.invoice_a + self.invoice_b, partner=self.contact_1)
        notification = {'reference': tx.reference, 'simulated_state': 'done', 'payment_details': '4242'}
        for _replay in range(3):
            self.env['payment.transaction'].sudo()._handle_notification_data('demo', dict(notification))
            tx._post_process()
        payments = self.env['account.payment'].search([('payment_transaction_id', '=', tx.id)])
        self.assertEqual(len(payments), 1)
        self.assertEqual(payments.amount, 350.5)

    def test_foreign_invoice_refuses_whole_request(self):
        """Another customer's, an unknown or a draft invoice in the selection refuses the whole request."""
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        self._assert_rpc_error(
            self._bulk([self.invoice_a.id, self.foreign_invoice.id], 1099.0), "cannot pay one of the selected invoices"
        )
        page = self.url_open(f'/my/invoices/pay?invoice_ids={self.invoice_a.id},{self.foreign_invoice.id}')
        self.assertEqual(page.status_code, 400)
        self.assertNotIn(self.foreign_invoice.name, page.text)
        self.assertNotIn('o_payment_form', page.text)
        # A deleted / unknown id, a draft invoice: same.
        self._assert_rpc_error(self._bulk([self.invoice_a.id, 999999999], 100.0))
        draft = self._create_invoice(self.contact_1, 10.0, post=False)
        self._assert_rpc_error(self._bulk([self.invoice_a.id, draft.id], 110.0))
        self.assertFalse(self._active_txs(self.invoice_a + self.foreign_invoice + draft), "Nothing was created")

    def test_other_company_user_cannot_pay(self):
        """A user of another customer neither pays nor sees our invoices on the bulk page."""
        self.authenticate('cp_pay_deco', 'cp_pay_deco')
        self._assert_rpc_error(self._bulk([self.invoice_a.id], 100.0))
        page = self.url_open('/my/invoices/pay')
        self.assertNotIn(self.invoice_a.name, page.text)
        self.assertIn(self.foreign_invoice.name, page.text)
        self.assertFalse(self._active_txs(self.invoice_a))

    def test_mixed_currencies_refused(self):
        """Invoices in different currencies cannot be paid together."""
        invoice_eur = self._create_invoice(self.contact_1, 80.0, currency=self.other_currency)
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        self._assert_rpc_error(self._bulk([self.invoice_a.id, invoice_eur.id], 180.0), "different currencies")
        page = self.url_open(f'/my/invoices/pay?invoice_ids={self.invoice_a.id},{invoice_eur.id}')
        self.assertIn("different currencies", page.text)
        self.assertFalse(self._active_txs(self.invoice_a + invoice_eur))

    def test_tampered_amount_and_currency_refused(self):
        """An amount or a currency other than the server's is refused and creates nothing."""
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        ids = [self.invoice_a.id, self.invoice_b.id]
        for amount in (0.01, -1, 350.49, 350.51, "1e9", None, True):
            self._assert_rpc_error(self._bulk(ids, amount))
        raw = (
            '{"invoice_ids": %s, "provider_id": %s, "payment_method_id": %s, "flow": "direct", '
            '"tokenization_requested": false, "landing_route": "/my", "is_validation": false, "amount": NaN}'
            % (ids, self.provider.id, self.payment_method.id)
        )
        self._assert_rpc_error(self._jsonrpc('/my/invoices/pay/transaction', raw_params=raw))
        self._assert_rpc_error(self._bulk(ids, 350.5, currency_id=self.other_currency.id))
        self.assertFalse(self._active_txs(self.invoice_a + self.invoice_b))

    def test_malformed_selection(self):
        """A malformed selection of invoices answers 400 or 404 (never 500) and creates nothing."""
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        for invoice_ids in ('abc', '1,,x', '-1', '0', 'A' * 4096, '1e3', '%s.0' % self.invoice_a.id):
            page = self.url_open('/my/invoices/pay?invoice_ids=' + invoice_ids)
            self.assertIn(page.status_code, (400, 404), invoice_ids[:20])
            self.assertNotIn('o_payment_form', page.text)
        for invoice_ids in ('abc', [], [True], [[1]], {'a': 1}, 'A' * 4096, [self.invoice_a.id] * 2000):
            self._assert_rpc_error(self._bulk(invoice_ids, 100.0))
        page = self.url_open(f'/my/invoices/pay?invoice_ids={self.invoice_a.id}&invoice_ids=1')
        self.assertNotEqual(page.status_code, 500)

    def test_bulk_payment_off_is_404(self):
        """With bulk payments off, the page and its transaction route answer 404 and the list has no checkboxes."""
        self.company.portal_bulk_payment = False
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        self.assertEqual(self.url_open('/my/invoices/pay').status_code, 404)
        self.assertEqual(self.url_open(f'/my/invoices/pay?invoice_ids={self.invoice_a.id}').status_code, 404)
        answer = self._bulk([self.invoice_a.id], 100.0)
        self._assert_rpc_error(answer)
        self.assertIn('NotFound', answer['error']['data']['name'])
        page = self.url_open('/my/invoices')
        self.assertNotIn('o_cp_bulk_select', page.text)
        self.assertFalse(self._active_txs(self.invoice_a))

    def test_anonymous_redirected(self):
        """A visitor is sent to the login page and cannot start a bulk payment."""
        page = self.url_open('/my/invoices/pay', allow_redirects=False)
        self.assertIn(page.status_code, (302, 303))
        self.assertIn('/web/login', page.headers.get('Location', ''))
        self._assert_rpc_error(self._bulk([self.invoice_a.id], 100.0))
        self.assertFalse(self._active_txs(self.invoice_a))

    def test_invoice_list_checkboxes(self):
        """The invoice list has a checkbox on each payable invoice, none on a pending one."""
        self._create_tx(self.invoice_b, state='pending')
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        page = self.url_open('/my/invoices')
        self.assertIn('id="o_cp_pay_selected"', page.text)
        self.assertIn(f'value="{self.invoice_a.id}"', page.text)
        self.assertNotIn(f'value="{self.invoice_b.id}"', page.text, "No checkbox on a pending invoice")

    def test_overdue_pay_now_pays_all_outstanding(self):
        """Stock's overdue Pay Now leads to the bulk page."""
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        page = self.url_open('/my/invoices/overdue', allow_redirects=False)
        self.assertIn('/my/invoices/pay', page.headers.get('Location', ''))

    def test_bulk_page_query_count(self):
        """The bulk page makes the same number of queries for 10 and 200 invoices."""
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        self.url_open('/my/invoices/pay')  # warm up caches (assets, templates)
        self._create_invoices(self.contact_1, [10.0] * 7)
        with self.assertQueryCount(BULK_PAGE_QUERIES):
            page = self.url_open('/my/invoices/pay')
        self.assertIn('data-amount="%s"' % (390.5 + 70.0), page.text)
        self._create_invoices(self.contact_1, [10.0] * 190)
        with self.assertQueryCount(BULK_PAGE_QUERIES):
            page = self.url_open('/my/invoices/pay')
        self.assertIn('data-amount="%s"' % (390.5 + 1970.0), page.text)

    def test_bulk_transaction_query_count(self):
        """Starting one payment of 20 invoices costs the queries of a payment of 2 (issue 16): the
        guard, the transaction and the notes on the invoices are set-based."""
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        warm_up, invoices_2, invoices_20 = (self._create_invoices(self.contact_1, [10.0] * n) for n in (2, 2, 20))
        self.assertIn('result', self._bulk(warm_up.ids, 20.0))
        start = self.cr.sql_log_count
        self.assertIn('result', self._bulk(invoices_2.ids, 20.0))
        queries_2 = self.cr.sql_log_count - start
        with self.assertQueryCount(queries_2):
            answer = self._bulk(invoices_20.ids, 200.0)
        self.assertIn('result', answer, answer)
        self.env.invalidate_all()
        [tx] = self._active_txs(invoices_20)
        self.assertEqual(tx.invoice_ids, invoices_20)
        self.assertEqual(tx.amount, 200.0)
        # One note on the customer company says which payment was started and lists its invoices, instead
        # of a note on each invoice (the invoices get theirs when the payment is posted).
        [note] = self.customer.message_ids.filtered(lambda msg: tx.reference in (msg.body or ''))
        self.assertEqual(note.message_type, 'notification')
        self.assertEqual(note.author_id, self.contact_1)
        for invoice in invoices_20:
            self.assertIn(invoice.name, note.body)
            self.assertNotIn(tx.reference, invoice.message_ids[:1].body or '')
        # When the payment is posted, each invoice gets stock's trace naming the transaction.
        tx._set_done()
        tx._post_process()
        self.env.invalidate_all()
        self.assertTrue(tx.payment_id)
        for invoice in invoices_20:
            self.assertIn(tx.reference, invoice.message_ids[:1].body)

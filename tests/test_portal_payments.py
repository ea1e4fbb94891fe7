from lxml import html

from odoo.tests import HttpCase, tagged

from .common_payment import PortalPaymentCommon, PortalPaymentHttpMixin

# Queries of /my/payments, the same ceiling for 10 and 200 payments (19 measured).
PAYMENTS_PAGE_QUERIES = 25


@tagged('post_install', '-at_install')
class TestPortalPayments(PortalPaymentCommon, PortalPaymentHttpMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal_payment_data()
        cls.bank_journal = cls.env['account.journal'].search(
            [('type', '=', 'bank'), ('company_id', '=', cls.company.id)], limit=1)
        cls.invoice = cls._create_invoice(cls.contact_1, 300.0)
        cls.invoice_payment = cls._register_payment(cls.invoice, 300.0, memo='Invoice payment')
        cls.advance = cls._create_payments(cls.contact_2, [55.0], memo='Advance')
        cls.foreign_invoice = cls._create_invoice(cls.other_customer, 999.0)
        cls.foreign_payment = cls._register_payment(cls.foreign_invoice, 999.0)

    @classmethod
    def _register_payment(cls, invoice, amount, memo=None):
        wizard = cls.env['account.payment.register'].with_context(
            active_model='account.move', active_ids=invoice.ids,
        ).create({'amount': amount, 'journal_id': cls.bank_journal.id, 'communication': memo or invoice.name})
        return wizard._create_payments()

    @classmethod
    def _create_payments(cls, partner, amounts, memo='Payment'):
        payments = cls.env['account.payment'].create([{
            'payment_type': 'inbound',
            'partner_type': 'customer',
            'partner_id': partner.id,
            'amount': amount,
            'journal_id': cls.bank_journal.id,
            'memo': memo,
        } for amount in amounts])
        payments.action_post()
        return payments

    def test_list_shows_the_company_payments_only(self):
        self.authenticate('cp_pay_bob', 'cp_pay_bob')
        page = self.url_open('/my/payments')
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.invoice_payment.name, page.text, "Bob sees the payment Anna's invoice received")
        self.assertIn(self.advance.name, page.text)
        self.assertIn(self.invoice.name, page.text)
        self.assertNotIn(self.foreign_payment.name, page.text)
        self.assertEqual(page.text.count('o_portal_payment_row'), 2)

    def test_filter_and_sort(self):
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        page = self.url_open('/my/payments?filterby=invoices')
        self.assertIn(self.invoice_payment.name, page.text)
        self.assertNotIn(self.advance.name, page.text)
        page = self.url_open('/my/payments?sortby=amount')
        self.assertLess(page.text.index(self.invoice_payment.name), page.text.index(self.advance.name))
        page = self.url_open('/my/payments?sortby=amount_asc')
        self.assertLess(page.text.index(self.advance.name), page.text.index(self.invoice_payment.name))
        # Unknown values fall back to the defaults, never a 500.
        for query in ('sortby=name;drop', 'filterby=x', 'sortby[]=1', 'page=abc'):
            self.assertIn(self.url_open('/my/payments?' + query).status_code, (200, 404))

    def test_pager(self):
        self._create_payments(self.contact_1, [1.0] * 85)
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        page_1 = self.url_open('/my/payments')
        self.assertEqual(page_1.text.count('o_portal_payment_row'), 80)
        page_2 = self.url_open('/my/payments/page/2')
        self.assertEqual(page_2.text.count('o_portal_payment_row'), 7)

    def test_detail_and_receipt(self):
        self.authenticate('cp_pay_bob', 'cp_pay_bob')
        page = self.url_open(f'/my/payments/{self.invoice_payment.id}')
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.invoice.name, page.text)
        self.assertIn('300.00', page.text)
        self.assertIn('Invoice payment', page.text)
        self.assertIn(f'/my/payments/{self.invoice_payment.id}?report_type=pdf&amp;download=true', page.text)
        pdf = self.url_open(f'/my/payments/{self.invoice_payment.id}?report_type=pdf&download=true')
        self.assertEqual(pdf.status_code, 200)
        self.assertEqual(pdf.headers['Content-Type'], 'application/pdf')
        self.assertIn('attachment', pdf.headers.get('Content-Disposition', ''))
        self.assertIn(self.invoice_payment.name, pdf.text)  # test mode renders the report as HTML
        printed = self.url_open(f'/my/payments/{self.invoice_payment.id}?report_type=pdf')
        self.assertIn('inline', printed.headers.get('Content-Disposition', ''))

    def test_access_matrix(self):
        urls = [f'/my/payments/{self.foreign_payment.id}',
                f'/my/payments/{self.foreign_payment.id}?report_type=pdf&download=true',
                f'/my/payments/{self.foreign_payment.id}?report_type=html']
        tokens = ['', 'abc', 'A' * 4096, '[]']

        def assert_refused(url):
            response = self.url_open(url)
            self.assertIn(response.status_code, (200, 403, 404), url)
            self.assertNotIn(self.foreign_payment.name, response.text, url)
            self.assertNotEqual(response.headers.get('Content-Type'), 'application/pdf', url)

        # Anonymous: sent to the login page.
        response = self.url_open(urls[0], allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn('/web/login', response.headers['Location'])
        assert_refused(urls[0])
        for login in ('cp_pay_anna', 'cp_pay_bob', 'cp_pay_employee'):
            self.authenticate(login, login)
            for url in urls:
                self.assertEqual(self.url_open(url).status_code, 404, (login, url))
                assert_refused(url)
                for token in tokens:
                    assert_refused(f'{url}{"&" if "?" in url else "?"}access_token={token}')
            page = self.url_open('/my/payments')
            self.assertNotIn(self.foreign_payment.name, page.text)
        # The owner company's user reaches it; the other company does not reach ours.
        self.authenticate('cp_pay_deco', 'cp_pay_deco')
        self.assertEqual(self.url_open(urls[0]).status_code, 200)
        self.assertEqual(self.url_open(f'/my/payments/{self.invoice_payment.id}').status_code, 404)
        self.assertEqual(self.url_open('/my/payments/999999999').status_code, 404)

    def test_home_counter(self):
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        counters = self._jsonrpc('/my/counters', {'counters': ['payment_count']})
        self.assertEqual(counters['result']['payment_count'], 2)
        self.assertIn('/my/payments', self.url_open('/my').text)

    def test_payments_page_query_count(self):
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        self.url_open('/my/payments')  # warm up caches (assets, templates)
        self._create_payments(self.contact_1, [5.0] * 8)
        with self.assertQueryCount(PAYMENTS_PAGE_QUERIES):
            page = self.url_open('/my/payments')
        self.assertEqual(page.text.count('o_portal_payment_row'), 10)
        self._create_payments(self.contact_1, [5.0] * 190)
        with self.assertQueryCount(PAYMENTS_PAGE_QUERIES):
            page = self.url_open('/my/payments')
        self.assertEqual(page.text.count('o_portal_payment_row'), 80)

    def test_payments_page_query_count_with_invoices(self):
        """The benchmark (make bench) found /my/payments at 744 queries with 1,000 invoices: each
        invoice a payment paid was read on its own. Payments of invoices cost the same as others."""
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        self.url_open('/my/payments')  # warm up caches (assets, templates)
        for amount in (10.0, 20.0):
            self._register_payment(self._create_invoice(self.contact_1, amount), amount)
        with self.assertQueryCount(PAYMENTS_PAGE_QUERIES):
            page = self.url_open('/my/payments')
        self.assertEqual(page.text.count('o_portal_payment_row'), 4)
        invoices = self._create_invoices(self.contact_1, [7.0] * 60)
        for invoice in invoices:
            self._register_payment(invoice, 7.0)
        with self.assertQueryCount(PAYMENTS_PAGE_QUERIES):
            page = self.url_open('/my/payments')
        self.assertEqual(page.text.count('o_portal_payment_row'), 64)
        self.assertIn(invoices[-1].name, page.text)


@tagged('post_install', '-at_install')
class TestPortalPaymentsMade(PortalPaymentCommon, PortalPaymentHttpMixin, HttpCase):
    """Payments Made (issue 8, item 7): what each payment applied to each invoice, its state in
    the customer's words, its method as the customer knows it, links and clean references."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal_payment_data()
        cls.bank_journal = cls.env['account.journal'].search(
            [('type', '=', 'bank'), ('company_id', '=', cls.company.id)], limit=1)
        # A payment of 100 applied 60 to the first invoice and 40 to the second (total 300).
        cls.invoice_60, cls.invoice_300 = cls._create_invoices(cls.contact_1, [60.0, 300.0])
        cls.payment = cls.env['account.payment'].create({
            'payment_type': 'inbound',
            'partner_type': 'customer',
            'partner_id': cls.customer.id,
            'amount': 100.0,
            'journal_id': cls.bank_journal.id,
            'memo': 'WIRE-778 - Gemini Furniture - ',
        })
        cls.payment.action_post()
        payment_line = cls.payment.move_id.line_ids.filtered(lambda l: l.account_id.account_type == 'asset_receivable')
        for invoice in (cls.invoice_60, cls.invoice_300):
            (payment_line + invoice.line_ids.filtered(lambda l: l.account_id.account_type == 'asset_receivable')).reconcile()

    def _money(self, amount):
        number = f'{amount:,.2f}'
        return f'{self.currency.symbol} {number}' if self.currency.position == 'before' else f'{number} {self.currency.symbol}'

    def _tree(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return html.fromstring(response.content)

    @staticmethod
    def _texts(tree, xpath):
        return [' '.join(node.text_content().split()) for node in tree.xpath(xpath)]

    def test_detail_shows_amount_applied_to_each_invoice(self):
        self.assertEqual(self.invoice_300.amount_residual, 260.0)
        self.authenticate('cp_pay_bob', 'cp_pay_bob')
        tree = self._tree(f'/my/payments/{self.payment.id}')
        rows = tree.xpath("//table[contains(@class, 'o_portal_payment_invoices')]/tbody/tr")
        applied = {
            ' '.join(row.xpath('./td[1]/a')[0].text_content().split()): ' '.join(row.xpath('./td[last()]')[0].text_content().split())
            for row in rows
        }
        self.assertEqual(applied, {self.invoice_60.name: self._money(60), self.invoice_300.name: self._money(40)})
        self.assertNotIn('300.00', ' '.join(self._texts(tree, "//table[contains(@class, 'o_portal_payment_invoices')]")),
                         "the amount applied, not the invoice total")
        # Each invoice number leads to the invoice's portal page.
        links = tree.xpath("//table[contains(@class, 'o_portal_payment_invoices')]//a/@href")
        self.assertEqual(set(links), {self.invoice_60.access_url, self.invoice_300.access_url})
        self.assertEqual(self.url_open(self.invoice_300.access_url).status_code, 200)
        # The method as the customer knows it, the state in their words, no dangling separator.
        self.assertEqual(self._texts(tree, "//dd[contains(@class, 'o_portal_payment_method')]"), ['Bank transfer'])
        expected_state = 'Paid' if self.payment.state == 'paid' else 'Processing'
        self.assertEqual(self._texts(tree, "//dd[contains(@class, 'o_portal_payment_state')]"), [expected_state])
        self.assertEqual(self._texts(tree, "//dd[contains(@class, 'o_portal_payment_reference')]"),
                         ['WIRE-778 - Gemini Furniture'])
        self.assertNotIn('Manual Payment', tree.text_content())
        # The breadcrumbs name the payment and nothing else (no invoice number leaking in).
        breadcrumbs = ' '.join(self._texts(tree, "//ol[contains(@class, 'o_portal_submenu')]"))
        self.assertIn(self.payment.name, breadcrumbs)
        self.assertNotIn(self.invoice_60.name, breadcrumbs)
        self.assertNotIn(self.invoice_300.name, breadcrumbs)

    def test_list_shows_applied_amounts_state_and_method(self):
        self.payment.action_validate()  # the bank confirmed it
        self.assertEqual(self.payment.state, 'paid')
        other = self.env['account.payment'].create({
            'payment_type': 'inbound', 'partner_type': 'customer', 'partner_id': self.contact_2.id,
            'amount': 25.0, 'journal_id': self.bank_journal.id, 'memo': 'Advance',
        })
        other.action_post()
        self.assertEqual(other.state, 'in_process')
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        tree = self._tree('/my/payments')
        rows = {
            row.xpath('./td[1]/a')[0].text_content().strip(): row
            for row in tree.xpath("//tr[contains(@class, 'o_portal_payment_row')]")
        }
        row = rows[self.payment.name]
        allocations = ' '.join(row.xpath(".//td[contains(@class, 'o_portal_payment_allocations')]")[0].text_content().split())
        self.assertIn(f'{self.invoice_60.name} ({self._money(60)})', allocations)
        self.assertIn(f'{self.invoice_300.name} ({self._money(40)})', allocations)
        self.assertEqual(set(row.xpath(".//td[contains(@class, 'o_portal_payment_allocations')]//a/@href")),
                         {self.invoice_60.access_url, self.invoice_300.access_url})
        self.assertEqual(row.xpath(".//td[contains(@class, 'o_portal_payment_state')]")[0].text_content().strip(), 'Paid')
        self.assertEqual(row.xpath(".//td[contains(@class, 'o_portal_payment_method')]")[0].text_content().strip(), 'Bank transfer')
        self.assertEqual(row.xpath(".//td[contains(@class, 'o_portal_payment_reference')]")[0].text_content().strip(),
                         'WIRE-778 - Gemini Furniture')
        other_row = rows[other.name]
        self.assertEqual(other_row.xpath(".//td[contains(@class, 'o_portal_payment_state')]")[0].text_content().strip(),
                         'Processing')
        self.assertFalse(other_row.xpath(".//td[contains(@class, 'o_portal_payment_allocations')]//a"))
        self.assertNotIn(self.payment.name, ' '.join(self._texts(tree, "//ol[contains(@class, 'o_portal_submenu')]")))

    def test_online_payment_method_and_reference(self):
        invoice = self._create_invoice(self.contact_1, 75.0)
        tx = self._create_tx(invoice, state='done')
        tx._post_process()
        payment = tx.payment_id
        self.assertTrue(payment)
        self.assertTrue(payment.memo.endswith(' - '), "stock leaves an empty provider reference in the memo")
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        tree = self._tree(f'/my/payments/{payment.id}')
        self.assertEqual(self._texts(tree, "//dd[contains(@class, 'o_portal_payment_reference')]"), [tx.reference])
        self.assertEqual(self._texts(tree, "//dd[contains(@class, 'o_portal_payment_method')]"),
                         [payment._get_portal_method_name()])
        self.assertIn(self.payment_method.name, payment._get_portal_method_name())
        applied = self._texts(tree, "//td[contains(@class, 'o_portal_payment_applied_amount')]")
        self.assertEqual(applied, [self._money(75)])
        # The same reference, without dangling separator, on the home's Last Payment Made.
        home = self._tree('/my')
        self.assertEqual(self._texts(home, "//*[contains(@class, 'o_cp_last_payment_reference')]"), [tx.reference])
        # And in the statement.
        statement = self._tree('/my/statement?period=this_year')
        [line] = [text for text in self._texts(statement, "//tr[contains(concat(' ', @class, ' '), ' o_cp_statement_line ')]")
                  if payment.name in text]
        self.assertIn(f'({tx.reference} - {tx.partner_id.display_name})', line)


@tagged('post_install', '-at_install')
class TestPortalPaymentTour(PortalPaymentCommon, PortalPaymentHttpMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal_payment_data()
        cls.invoices = cls._create_invoices(cls.contact_1, [100.0, 250.5])

    def test_pay_two_invoices_and_find_the_receipt(self):
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
            group = ' '.join(tree.xpath("//div[contains(@class, 'o_cp_partial_payment')]//div[contains(@class, 'input-group')]")[0].text_content().split())
            self.assertEqual(group, currency.symbol)
            limit = ' '.join(tree.xpath("//*[contains(@class, 'o_cp_partial_amount_max')]")[0].text_content().split())
            self.assertEqual(limit, f'{currency.symbol} 1,380.00' if currency.position == 'before' else f'1,380.00 {currency.symbol}')
        # Whatever the page shows, the server still checks the amount.
        answer = self._jsonrpc(f'/invoice/transaction/{invoice.id}', self._tx_params(
            access_token=invoice._portal_ensure_token(), amount=1380.01, landing_route=invoice.access_url))
        self.assertIn('error', answer)
        self.assertIn('1,380.00', answer['error']['data']['message'], "the refusal names what is due")
        self.assertFalse(self._active_txs(invoice))

    def test_partial_payment_tour(self):
        invoice = self._create_invoice(self.contact_2, 123.45)
        invoice.allow_partial_payment = True
        self.start_tour('/my/invoices', 'customer_portal_partial_payment_tour', login='cp_pay_bob')
        tx = self.env['payment.transaction'].sudo().search([('invoice_ids', '=', invoice.id)])
        self.assertEqual(tx.amount, 40.0)
        self.assertEqual(tx.state, 'done')
        self.assertEqual(invoice.amount_residual, 83.45)

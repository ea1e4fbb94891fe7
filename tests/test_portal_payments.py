from odoo.tests import tagged

from .common_payment import PortalPaymentHttpCommon

# Queries of /my/payments, the same ceiling for 10 and 200 payments (19 measured).
PAYMENTS_PAGE_QUERIES = 25


@tagged('post_install', '-at_install')
class TestPortalPayments(PortalPaymentHttpCommon):
    """Payments Made (/my/payments): the list, its filters and pager, a payment and its receipt."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._create_invoice(cls.contact_1, 300.0)
        cls.invoice_payment = cls._register_payment(cls.invoice, 300.0, memo='Invoice payment')
        cls.advance = cls._create_payments(cls.contact_2, [55.0], memo='Advance')
        cls.foreign_invoice = cls._create_invoice(cls.other_customer, 999.0)
        cls.foreign_payment = cls._register_payment(cls.foreign_invoice, 999.0)

    def test_list_shows_the_company_payments_only(self):
        """The list shows the company's payments, not another customer's."""
        self.authenticate('cp_pay_bob', 'cp_pay_bob')
        page = self.url_open('/my/payments')
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.invoice_payment.name, page.text, "Bob sees the payment Anna's invoice received")
        self.assertIn(self.advance.name, page.text)
        self.assertIn(self.invoice.name, page.text)
        self.assertNotIn(self.foreign_payment.name, page.text)
        self.assertEqual(page.text.count('o_cp_payment_row'), 2)

    def test_filter_and_sort(self):
        """The filters and sort orders; unknown values fall back to the defaults."""
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
        """The list shows 80 payments a page."""
        self._create_payments(self.contact_1, [1.0] * 85)
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        page_1 = self.url_open('/my/payments')
        self.assertEqual(page_1.text.count('o_cp_payment_row'), 80)
        page_2 = self.url_open('/my/payments/page/2')
        self.assertEqual(page_2.text.count('o_cp_payment_row'), 7)

    def test_detail_and_receipt(self):
        """A payment's page and its receipt, downloaded or printed."""
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
        """Another customer's payment is refused to every user, whatever the token."""
        urls = [
            f'/my/payments/{self.foreign_payment.id}',
            f'/my/payments/{self.foreign_payment.id}?report_type=pdf&download=true',
            f'/my/payments/{self.foreign_payment.id}?report_type=html',
        ]
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
        """The home page counts the company's payments."""
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        counters = self._jsonrpc('/my/counters', {'counters': ['payment_count']})
        self.assertEqual(counters['result']['payment_count'], 2)
        self.assertIn('/my/payments', self._home_html())

    def test_payments_page_query_count(self):
        """The payments page makes the same number of queries for 10 and 200 payments."""
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        self.url_open('/my/payments')  # warm up caches (assets, templates)
        self._create_payments(self.contact_1, [5.0] * 8)
        with self.assertQueryCount(PAYMENTS_PAGE_QUERIES):
            page = self.url_open('/my/payments')
        self.assertEqual(page.text.count('o_cp_payment_row'), 10)
        self._create_payments(self.contact_1, [5.0] * 190)
        with self.assertQueryCount(PAYMENTS_PAGE_QUERIES):
            page = self.url_open('/my/payments')
        self.assertEqual(page.text.count('o_cp_payment_row'), 80)

    def test_payments_page_query_count_with_invoices(self):
        """The benchmark (make bench) found /my/payments at 744 queries with 1,000 invoices: each
        invoice a payment paid was read on its own. Payments of invoices cost the same as others."""
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        self.url_open('/my/payments')  # warm up caches (assets, templates)
        for amount in (10.0, 20.0):
            self._register_payment(self._create_invoice(self.contact_1, amount), amount)
        with self.assertQueryCount(PAYMENTS_PAGE_QUERIES):
            page = self.url_open('/my/payments')
        self.assertEqual(page.text.count('o_cp_payment_row'), 4)
        invoices = self._create_invoices(self.contact_1, [7.0] * 60)
        for invoice in invoices:
            self._register_payment(invoice, 7.0)
        with self.assertQueryCount(PAYMENTS_PAGE_QUERIES):
            page = self.url_open('/my/payments')
        self.assertEqual(page.text.count('o_cp_payment_row'), 64)
        self.assertIn(invoices[-1].name, page.text)

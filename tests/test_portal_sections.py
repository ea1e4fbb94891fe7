# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo import Command
from odoo.tests import tagged

from .common_portal_account import PortalAccountCommon


@tagged('post_install', '-at_install')
class TestPortalSections(PortalAccountCommon):
    """P18: a section switched off answers 404 on its routes (stock's too, and its documents' PDFs under
    /report) and leaves nothing of it on the home, in a session that showed it before; A9: a contact who may
    not view documents sees no section."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.quotation = cls.env['sale.order'].create(
            {
                'partner_id': cls.customer.id,
                'order_line': [Command.create({'product_id': cls.service.id, 'product_uom_qty': 1})],
            }
        )
        cls.quotation.action_quotation_sent()
        cls.order = cls._sale_order()

    def _section_urls(self):
        """Section -> (its switch, its routes and documents, the words of it the home shows)."""
        report = '/report/html/%s/%s'
        return {
            'invoices': (
                'portal_show_invoices',
                [
                    '/my/invoices',
                    '/my/invoices?filterby=unpaid',
                    self.inv1.get_portal_url(),
                    f'/my/invoices/{self.inv1.id}?report_type=pdf',
                    report % ('account.report_invoice', self.inv1.id),
                ],
                ['href="/my/invoices', 'o_cp_balance_summary'],
            ),
            'estimates': (
                'portal_show_estimates',
                ['/my/quotes', self.quotation.get_portal_url(), report % ('sale.report_saleorder', self.quotation.id)],
                ['href="/my/quotes'],
            ),
            'sales_orders': (
                'portal_show_sales_orders',
                ['/my/orders', self.order.get_portal_url(), report % ('sale.report_saleorder', self.order.id)],
                ['href="/my/orders"'],
            ),
            'statements': ('portal_show_statements', ['/my/statement'], ['href="/my/statement']),
            'payments_made': (
                'portal_show_payments_made',
                ['/my/payments'],
                ['href="/my/payments', 'o_cp_last_payment'],
            ),
            'retainer_invoices': (
                'portal_show_retainer_invoices',
                ['/my/retainer_invoices'],
                ['href="/my/retainer_invoices'],
            ),
            'credit_notes': (
                'portal_display_credit_notes',
                ['/my/credit_notes', f'/my/credit_notes/{self.cn1.id}'],
                ['href="/my/credit_notes'],
            ),
        }

    def test_sections_on_by_default(self):
        self.assertTrue(self.customer.portal_can_view)
        self._login(self.portal_user)
        _response, _tree = self._home_page()
        for section, (field, urls, _words) in self._section_urls().items():
            self.assertTrue(self.company[field], section)
            for url in urls:
                if url.startswith('/report/') and 'sale.' in url:
                    continue  # stock refuses a portal user the order's report (sale.order.option): 403
                self.assertEqual(self.url_open(url).status_code, 200, url)

    def test_section_off_refused_and_gone_from_home(self):
        self._login(self.portal_user)
        home = self._home_html()
        for section, (field, urls, words) in self._section_urls().items():
            with self.subTest(section=section):
                self.assertTrue(any(word in home for word in words), f"{section} is on the home when on")
                self.company[field] = False
                try:
                    for url in urls:
                        response = self.url_open(url)
                        self.assertEqual(response.status_code, 404, url)
                        self.assertNotIn(self.inv1.name, response.text)
                        self.assertNotIn(self.order.name, response.text)
                    page = self._home_html()
                    for word in words:
                        self.assertNotIn(word, page)
                    counters = self.make_jsonrpc_request(
                        '/my/counters',
                        {
                            'counters': [
                                'invoice_count',
                                'order_count',
                                'quotation_count',
                                'credit_note_count',
                                'retainer_invoice_count',
                                'payment_count',
                            ]
                        },
                    )
                    for counter in {
                        'invoices': ['invoice_count'],
                        'sales_orders': ['order_count'],
                        'estimates': ['quotation_count'],
                        'credit_notes': ['credit_note_count'],
                        'retainer_invoices': ['retainer_invoice_count'],
                        'payments_made': ['payment_count'],
                    }.get(section, []):
                        self.assertFalse(counters.get(counter), counter)
                finally:
                    self.company[field] = True

    def test_other_sections_stay(self):
        self.company.portal_show_estimates = False
        self._login(self.portal_user)
        self.assertEqual(self.url_open(self.order.get_portal_url()).status_code, 200)
        self.assertEqual(self.url_open(self.quotation.get_portal_url()).status_code, 404)
        # The order page of another company's switch: the document's company decides.
        self.assertEqual(self.url_open('/my/invoices').status_code, 200)

    def test_internal_user_previews(self):
        self.company.portal_show_invoices = False
        self._login(self.env.ref('base.user_admin'))
        self.assertEqual(self.url_open(self.inv1.get_portal_url()).status_code, 200)

    def test_contact_without_view_sees_no_section(self):
        self.contact_a.portal_can_view = False
        self._login(self.portal_user)
        for _field, urls, _words in self._section_urls().values():
            for url in urls:
                self.assertEqual(self.url_open(url).status_code, 404, url)
        page = self._home_html()
        for section, (_field, _urls, words) in self._section_urls().items():
            for word in words:
                self.assertNotIn(word, page, section)
        # The colleague who may view still sees them all, in the same database state.
        self._login(self.colleague_user)
        self.assertEqual(self.url_open('/my/invoices').status_code, 200)
        self.assertIn('href="/my/invoices', self._home_html())

    def test_view_withdrawn_takes_effect_on_next_request(self):
        self._login(self.portal_user)
        self.assertEqual(self.url_open('/my/invoices').status_code, 200)
        self.contact_a.portal_can_view = False
        self.assertEqual(self.url_open('/my/invoices').status_code, 404)

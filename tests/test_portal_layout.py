from lxml import html

from odoo.tests import tagged

from .common_portal_account import PortalAccountCommon


class PortalLayoutCommon(PortalAccountCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.portal_bulk_payment = True
        cls.env['ir.config_parameter'].sudo().set_param('account_payment.enable_portal_payment', True)
        cls.payment = cls.unapplied_payment

    def _tree(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return html.fromstring(response.content)


@tagged('post_install', '-at_install')
class TestPortalPageLayout(PortalLayoutCommon):
    """Issue 8: page titles, list columns and status cells as the browser gets them."""

    def test_page_titles_name_the_page(self):
        """Each page's title names the page."""
        self._login(self.portal_user)
        pages = {
            '/my': 'My Account',
            '/my/invoices': 'Invoices',
            '/my/retainer_invoices': 'Retainer Invoices',
            '/my/credit_notes': 'Credit Notes',
            f'/my/credit_notes/{self.cn2.id}': f'Credit Note {self.cn2.name}',
            '/my/statement': 'Statement of Account',
            '/my/payments': 'Payments Made',
            f'/my/payments/{self.payment.id}': f'Payment {self.payment.name}',
            f'/my/invoices/pay?invoice_ids={self.inv2.id}': 'Pay Invoices',
        }
        for url, title in pages.items():
            with self.subTest(url=url):
                tree = self._tree(url)
                self.assertEqual(' '.join(tree.findtext('.//head/title').split()), title)
        admin = self.env.ref('base.user_admin')
        admin.company_ids |= self.company
        self.authenticate('admin', 'admin')
        tree = self._tree(f'/my/banner/preview?company_id={self.company.id}')
        self.assertEqual(tree.findtext('.//head/title'), 'Portal Banner Preview')

    def test_invoice_list_cells_hidden_with_their_headers(self):
        """Every cell of a row is hidden on phones exactly when its column's header is: stock's
        t-att-class used to drop "d-none d-md-table-cell" from the Due Date cell."""
        self._login(self.portal_user)
        tree = self._tree('/my/invoices?filterby=all')
        table = tree.xpath("//table[contains(@class, 'o_portal_my_doc_table')]")[0]

        def phone_hidden(el):
            return 'd-none' in el.get('class', '').split()

        heads = table.xpath('./thead/tr/th')
        rows = table.xpath('./tbody/tr')
        self.assertTrue(rows)
        for row in rows:
            cells = row.xpath('./td')
            self.assertEqual(len(cells), len(heads))
            self.assertEqual([phone_hidden(c) for c in cells], [phone_hidden(h) for h in heads])
        # The Due Date of an overdue invoice stays red.
        due_index = [h.get('name') for h in heads].index('due_date')
        row = table.xpath(f"./tbody/tr[.//a[contains(@href, '/my/invoices/{self.inv1.id}?')]]")[0]
        self.assertIn('text-danger', row.xpath('./td')[due_index].get('class').split())

    def test_status_cells_wrap(self):
        """A status cell wraps its badges instead of cutting one off (stock cells are nowrap)."""
        self._login(self.portal_user)
        for url, xpath in (
            ('/my/invoices?filterby=all', "//td[@name='invoice_status']"),
            ('/my/retainer_invoices', "//tr[contains(@class, 'o_cp_retainer_row')]/td[last()]"),
            ('/my/credit_notes', "//tr[contains(@class, 'o_cp_credit_note_row')]/td[last()]"),
        ):
            with self.subTest(url=url):
                cells = self._tree(url).xpath(xpath)
                self.assertTrue(cells)
                for cell in cells:
                    self.assertIn('text-wrap', cell.get('class', '').split())


@tagged('post_install', '-at_install')
class TestPortalPhoneLayout(PortalLayoutCommon):
    """Issue 8 items 1 and 2: the lists and the statement read at 390 px in Chromium, measured
    in the page (headers over their columns, nothing past the window, no sideways scrolling)."""

    browser_size = '390x844'

    def test_phone_invoice_list(self):
        """The invoice list at phone size (tour)."""
        self.start_tour('/my/invoices?filterby=all', 'customer_portal_phone_invoice_list', login=self.portal_user.login)

    def test_phone_statement(self):
        """The statement at phone size (tour)."""
        self.start_tour(
            '/my/statement?period=this_year', 'customer_portal_phone_statement', login=self.portal_user.login
        )

    def test_phone_other_lists(self):
        """The other lists at phone size (tour)."""
        for url in (
            '/my/retainer_invoices',
            '/my/credit_notes',
            '/my/payments',
            f'/my/invoices/pay?invoice_ids={self.inv1.id},{self.inv2.id}',
        ):
            with self.subTest(url=url):
                self.start_tour(url, 'customer_portal_phone_layout', login=self.portal_user.login)

    def test_desktop_invoice_list_and_statement(self):
        """The same checks hold at 1366 px, where every column is shown."""
        self.browser_size = '1366x768'
        self.start_tour('/my/invoices?filterby=all', 'customer_portal_phone_invoice_list', login=self.portal_user.login)
        self.start_tour('/my/statement?period=this_year', 'customer_portal_phone_layout', login=self.portal_user.login)

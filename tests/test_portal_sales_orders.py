from odoo import Command
from odoo.tests import tagged

from .common_portal_account import PortalAccountCommon

# Queries of /my/orders with its caches warm, for 3 orders as for 30 (each with an invoice).
ORDERS_PAGE_QUERIES = 23


class PortalSaleCommon(PortalAccountCommon):
    """Acme's sales orders beside the down-payment orders of PortalAccountCommon (so1, so2 with
    something left to invoice; so3 invoiced in full): one in euros left to invoice, one invoiced in
    full; a quotation sent; another customer's order. Sold by an internal salesperson."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = cls._new_salesperson('cp_sale_sam')
        cls.order_eur = cls._order(cls.customer, [(cls.service, 2, 750.0)], currency=cls.eur, confirm=True)
        cls.order_invoiced = cls._order(cls.customer, [(cls.service, 1, 430.0)], confirm=True)
        cls.invoice_of_order = cls.order_invoiced._create_invoices()
        cls.invoice_of_order.action_post()
        cls.quote = cls._order(cls.customer, [(cls.service, 1, 640.0)], send=True)
        cls.other_order = cls._order(cls.other_customer, [(cls.service, 1, 999.0)], confirm=True)
        cls.env.flush_all()

    @classmethod
    def _new_salesperson(cls, login):
        return cls.env['res.users'].create(
            {
                'name': 'Sam Seller',
                'login': login,
                'password': login,
                'email': f'{login}@example.com',
                'company_id': cls.company.id,
                'company_ids': [Command.set(cls.company.ids)],
                'groups_id': [Command.set(cls.env.ref('sales_team.group_sale_salesman').ids)],
                'notification_type': 'email',
            }
        )

    @classmethod
    def _order(cls, partner, lines, currency=None, confirm=False, send=False, validity_date=None, **values):
        """An order of ``partner`` with ``lines`` of (product, quantity, unit price), sold by the
        salesperson; confirmed (``confirm``) or sent to the customer (``send``)."""
        pricelist = cls.env['product.pricelist'].create(
            {
                'name': f'Pricelist {(currency or cls.company.currency_id).name}',
                'currency_id': (currency or cls.company.currency_id).id,
            }
        )
        order = cls.env['sale.order'].create(
            {
                'partner_id': partner.id,
                'user_id': cls.salesperson.id,
                'pricelist_id': pricelist.id,
                'validity_date': validity_date or cls._day(-30),
                'order_line': [
                    Command.create(
                        {'product_id': product.id, 'product_uom_qty': qty, 'price_unit': price, 'tax_id': []}
                    )
                    for product, qty, price in lines
                ],
                **values,
            }
        )
        if send:
            order.action_quotation_sent()
            order.message_subscribe(partner.ids)
        if confirm:
            order.action_confirm()
        return order

    def _row_names(self, tree, row_class):
        """The document numbers of the rows of class ``row_class`` of a list page."""
        return {
            row.xpath('string(./td[1]/a | ./td[1]/span)').strip()
            for row in tree.xpath(f"//tr[contains(concat(' ', @class, ' '), ' {row_class} ')]")
        }

    def _customer_orders(self, domain=()):
        return self.env['sale.order'].search(
            [('partner_id', 'child_of', self.customer.id), ('state', '=', 'sale'), *domain]
        )


@tagged('post_install', '-at_install')
class TestPortalSalesOrders(PortalSaleCommon):
    """/my/orders (P12 on, the default): the Not Invoiced and All tabs, filters, sortings, the
    invoices of each order."""

    def test_setting_default_on(self):
        """Customers see sales orders unless the company says otherwise (stock shows them)."""
        company = self.env['res.company'].create({'name': 'Fresh Company'})
        self.assertTrue(company.portal_show_sales_orders)
        self.assertTrue(self.company.portal_show_sales_orders)

    def test_home_card(self):
        """The home has its Sales Orders card (counted) and the quotations card lists those awaiting
        an answer."""
        self._login(self.portal_user)
        home = self._home_html()
        self.assertIn('href="/my/orders"', home)
        self.assertIn('href="/my/quotes?filterby=awaiting"', home)
        self.assertIn('href="/my/statement"', home)
        counters = self._jsonrpc('/my/counters', {'counters': ['order_count']})['result']
        self.assertEqual(counters['order_count'], 1)  # stock counts with limit=1: there are some

    def test_not_invoiced_tab(self):
        """Not Invoiced lists exactly the orders with something left to invoice, with their
        amounts in their currency."""
        self._login(self.portal_user)
        _response, tree = self._page('/my/orders?filterby=to_invoice')
        expected = self._customer_orders([('invoice_status', '=', 'to invoice')])
        self.assertEqual(self._row_names(tree, 'o_cp_order_row'), set(expected.mapped('name')))
        self.assertIn(self.order_eur, expected)
        self.assertNotIn(self.order_invoiced, expected)
        self.assertNotIn(self.so3, expected)
        self.assertIn('active', tree.xpath("//a[contains(@class, 'o_cp_order_tab_to_invoice')]/@class")[0])
        eur_row = tree.xpath(f"//tr[.//a[normalize-space()='{self.order_eur.name}']]")[0]
        self.assertIn('€', eur_row.text_content())
        self.assertIn('1,500.00', eur_row.text_content())
        self.assertIn('To Invoice', eur_row.text_content())
        self.assertNotIn(self.other_order.name, _response.text)

    def test_all_tab_and_filters(self):
        """All lists every order; Fully Invoiced the invoiced ones; an unknown filter is All; no
        Delivered filter while no installed app delivers orders."""
        self._login(self.portal_user)
        every = set(self._customer_orders().mapped('name'))
        _response, tree = self._page('/my/orders')
        self.assertEqual(self._row_names(tree, 'o_cp_order_row'), every)
        self.assertIn('active', tree.xpath("//a[contains(@class, 'o_cp_order_tab_all')]/@class")[0])
        _response, tree = self._page('/my/orders?filterby=invoiced')
        self.assertEqual(
            self._row_names(tree, 'o_cp_order_row'),
            set(self._customer_orders([('invoice_status', '=', 'invoiced')]).mapped('name')),
        )
        self.assertIn(self.order_invoiced.name, self._row_names(tree, 'o_cp_order_row'))
        response, tree = self._page('/my/orders?filterby=nonsense&sortby=nonsense&date_begin=x&date_end=y')
        self.assertEqual(self._row_names(tree, 'o_cp_order_row'), every)
        if 'delivery_status' not in self.env['sale.order']._fields:
            self.assertNotIn('filterby=delivered', response.text)

    def test_sort_by_amount(self):
        self._login(self.portal_user)
        _response, tree = self._page('/my/orders?sortby=amount')
        names = [a.text_content().strip() for a in tree.xpath("//tr[contains(@class, 'o_cp_order_row')]/td[1]/a")]
        expected = self._customer_orders().sorted(lambda o: (-o.amount_total, -o.id)).mapped('name')
        self.assertEqual(names, expected)

    def test_rows_and_page_link_invoices(self):
        """Each order links its invoices, on the list and on its page."""
        self._login(self.portal_user)
        response, tree = self._page('/my/orders')
        row = tree.xpath(f"//tr[.//a[normalize-space()='{self.order_invoiced.name}']]")[0]
        links = row.xpath(".//td[contains(@class, 'o_cp_order_invoices')]//a")
        self.assertEqual([a.get('href') for a in links], [self.invoice_of_order.get_portal_url()])
        self.assertEqual(links[0].text_content(), self.invoice_of_order.name)
        self.assertIn('Fully Invoiced', row.text_content())
        _response, tree = self._page(f'/my/orders/{self.so3.id}')
        hrefs = set(tree.xpath("//div[@id='sale_invoices']//a/@href"))
        invoices = self.so3.invoice_ids.filtered(lambda m: m.state == 'posted')
        self.assertEqual(len(invoices), 2)
        self.assertEqual(hrefs, {invoice.get_portal_url() for invoice in invoices})

    def test_orders_page_query_count(self):
        """/my/orders makes the same queries for 3 orders as for 30, each with its invoice."""
        customer = self.env['res.partner'].create({'name': 'Volume Buyer', 'is_company': True})
        contact = self.env['res.partner'].create({'name': 'Vic Volume', 'parent_id': customer.id})
        user = self._new_portal_user('cp_sale_volume', contact)

        def add_orders(count):
            for i in range(count):
                order = self._order(customer, [(self.service, 1, 100.0 + i)], confirm=True)
                if i % 2:
                    order._create_invoices().action_post()
            self.env.flush_all()

        add_orders(3)
        self._login(user)
        count_3 = self._count_queries('/my/orders')
        add_orders(27)
        count_30 = self._count_queries('/my/orders')
        self.assertEqual(count_30, count_3)
        self.url_open('/my/orders')
        with self.assertQueryCount(ORDERS_PAGE_QUERIES):
            response = self.url_open('/my/orders')
        self.assertEqual(response.text.count('o_cp_order_row'), 30)


@tagged('post_install', '-at_install')
class TestPortalSalesOrdersOff(PortalSaleCommon):
    """P12 off: every route of a sales order answers 404 to customers, quotations stay."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.portal_show_sales_orders = False
        cls.order = cls.order_eur
        cls.order._portal_ensure_token()

    def _order_urls(self, order, token=None):
        suffix = f'?access_token={token}' if token else ''
        joiner = '&' if token else '?'
        return [
            f'/my/orders/{order.id}{suffix}',
            f'/my/orders/{order.id}{suffix}{joiner}report_type=pdf',
            f'/my/orders/{order.id}{suffix}{joiner}report_type=html&download=true',
            f'/my/orders/{order.id}/document/1{suffix}',
        ]

    def _assert_refused(self, urls, who):
        for url in urls:
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 404, f"{who}: {url}")
            self.assertNotIn('1,500.00', response.text, f"{who}: {url}")

    def _transaction(self, order, token):
        return self._jsonrpc(
            f'/my/orders/{order.id}/transaction',
            {
                'access_token': token,
                'provider_id': 1,
                'payment_method_id': 1,
                'flow': 'redirect',
                'tokenization_requested': False,
                'landing_route': '/my',
            },
        )

    def test_owner_and_colleague_refused(self):
        for user in (self.portal_user, self.colleague_user):
            self._login(user)
            self._assert_refused(['/my/orders', '/my/orders/page/2', '/my/orders?filterby=to_invoice'], user.login)
            self._assert_refused(self._order_urls(self.order), user.login)
            self._assert_refused(self._order_urls(self.order, self.order.access_token), user.login)
            answer = self._transaction(self.order, self.order.access_token)
            self.assertEqual(answer.get('error', {}).get('code'), 404, answer)
            counters = self._jsonrpc('/my/counters', {'counters': ['order_count', 'quotation_count']})['result']
            self.assertEqual(counters['order_count'], 0)
            self.assertEqual(counters['quotation_count'], 1)
            home = self._home_html()
            self.assertNotIn('href="/my/orders"', home)
            self.assertIn('href="/my/statement"', home)
            self.assertIn('href="/my/quotes?filterby=awaiting"', home)

    def test_token_visitor_refused(self):
        self.authenticate(None, None)
        self._assert_refused(self._order_urls(self.order, self.order.access_token), 'token visitor')
        answer = self._transaction(self.order, self.order.access_token)
        self.assertEqual(answer.get('error', {}).get('code'), 404, answer)

    def test_other_customer_gets_nothing(self):
        """Another customer company: no list, and our order stays out of reach (stock's answer)."""
        self._login(self.other_user)
        self._assert_refused(['/my/orders'], 'other customer')
        for url in self._order_urls(self.order):
            response = self.url_open(url, allow_redirects=False)
            self.assertIn(response.status_code, (303, 404), url)
            self.assertNotIn('1,500.00', response.text)

    def test_quotations_stay(self):
        """Quotations stay visible, as estimates, with their pages; accepted ones are not linked."""
        self._login(self.portal_user)
        response, tree = self._page('/my/quotes')
        self.assertIn(self.quote.name, tree.xpath("//tr[contains(@class, 'o_cp_estimate_row')]/td[1]/a/text()"))
        self.assertIn(self.order.name, self._row_names(tree, 'o_cp_estimate_row'))
        self.assertNotIn(self.order.get_portal_url(), response.text)
        _response, tree = self._page(f'/my/orders/{self.quote.id}')
        self.assertIn(self.quote.name, tree.text_content())
        self.authenticate(None, None)
        self._page(f'/my/orders/{self.quote.id}?access_token={self.quote._portal_ensure_token()}')

    def test_internal_user_still_previews(self):
        """Staff previews of an order keep working (the switch is about customers)."""
        self.authenticate(self.salesperson.login, self.salesperson.login)
        self._page(f'/my/orders/{self.order.id}')

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
import json
import re

from lxml import html

from odoo.tests import tagged

from .common import PDF_MAGIC, ShipmentHttpCase


def page_text(element):
    """The words of an element as the customer reads them (no-break spaces as spaces, blanks collapsed)."""
    return ' '.join(element.text_content().replace('\xa0', ' ').split())


class ShipmentPagesCase(ShipmentHttpCase):
    """Acme's orders: one shipped in two parcels, one partly shipped, one not shipped (Ann's), one of Bob's
    shipped; Other Co's order shipped."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shipped = cls._new_order(cls.contact)
        cls.shipped_second = cls._ship(cls.shipped.picking_ids, 'TRK-S1', {cls.widget: 4, cls.gadget: 0})
        cls._ship(cls.shipped_second, 'TRK-S2')
        cls.partly = cls._new_order(cls.contact)
        cls.partly_first = cls.partly.picking_ids
        cls.partly_rest = cls._ship(cls.partly_first, 'TRK-P1', {cls.widget: 1, cls.gadget: 2})
        cls.pending = cls._new_order(cls.contact, [(cls.gadget, 5)])
        cls.colleagues = cls._new_order(cls.colleague, [(cls.widget, 1)])
        cls._ship(cls.colleagues.picking_ids, 'TRK-C1')
        cls.others = cls._new_order(cls.other_contact, [(cls.widget, 7)])
        cls._ship(cls.others.picking_ids, 'TRK-SECRET')

    def _listed_shipments(self, url):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200, url)
        doc = html.fromstring(page.text)
        return {row.get('data-shipment'): row for row in doc.xpath("//tr[hasclass('o_cp_shipment_row')]")}

    def _pickings_of(self, *orders):
        return self.env['stock.picking'].browse([p.id for order in orders for p in order.picking_ids])

    def _counters(self, counters):
        response = self.url_open(
            '/my/counters',
            data=json.dumps({'jsonrpc': '2.0', 'method': 'call', 'params': {'counters': counters}}),
            headers={'Content-Type': 'application/json'},
        )
        return response.json()['result']


@tagged('post_install', '-at_install')
class TestShipmentPages(ShipmentPagesCase):
    """What /my/orders, an order's page, /my/shipments and the home show of shipments (C18)."""

    def test_orders_list_status_and_filter(self):
        """Each order's delivery status agrees with its pickings; each filter lists exactly the orders in it."""
        self.authenticate('stk_ann', 'stk_ann')
        doc = html.fromstring(self.url_open('/my/orders').text)
        statuses = {}
        for row in doc.xpath("//td[hasclass('o_cp_delivery_status')]/.."):
            statuses[page_text(row.xpath('./td[1]/a')[0])] = page_text(
                row.xpath(".//td[hasclass('o_cp_delivery_status')]")[0]
            )
        self.assertEqual(statuses[self.shipped.name], "Shipped")
        self.assertEqual(statuses[self.partly.name], "Partly shipped")
        self.assertEqual(statuses[self.pending.name], "Nothing shipped")
        self.assertEqual(statuses[self.colleagues.name], "Shipped")
        self.assertNotIn(self.others.name, statuses)
        for filterby, expected in (
            ('full', self.shipped | self.colleagues),
            ('partial', self.partly),
            ('pending', self.pending),
        ):
            page = self.url_open(f'/my/orders?filterby={filterby}').text
            listed = {int(i) for i in re.findall(r'href="/my/orders/(\d+)\?', page)}
            self.assertEqual(listed, set(expected.ids), filterby)
            for order in expected:
                self.assertEqual(order.delivery_status, filterby, "the filter agrees with sale_stock's status")
        # An unknown filter lists every order.
        page = self.url_open('/my/orders?filterby=nope').text
        listed = {int(i) for i in re.findall(r'href="/my/orders/(\d+)\?', page)}
        self.assertEqual(listed, set((self.shipped | self.partly | self.pending | self.colleagues).ids))

    def test_order_page_shows_each_shipment(self):
        """An order's page: its delivery status and each shipment with state, dates, carrier, tracking link,
        contents and delivery slip."""
        self.authenticate('stk_ann', 'stk_ann')
        page = self.url_open(f'/my/orders/{self.partly.id}')
        self.assertEqual(page.status_code, 200)
        doc = html.fromstring(page.text)
        self.assertEqual(page_text(doc.xpath("//td[hasclass('o_cp_order_delivery_status')]")[0]), "Partly shipped")
        section = doc.xpath("//div[@id='portal_order_shipments']")[0]
        text = page_text(section)
        self.assertIn("Shipments", text)
        for picking in self.partly_first | self.partly_rest:
            self.assertIn(picking.name, text)
            self.assertTrue(section.xpath(f".//a[starts-with(@href, '/my/picking/pdf/{picking.id}')]"))
        self.assertIn("Shipped", text)
        self.assertIn("Ready to ship", text)
        self.assertIn("Carrier: Express Parcels", text)
        links = section.xpath(".//a[hasclass('o_cp_tracking_link')]")
        self.assertEqual([link.get('href') for link in links], ['https://track.example.com/parcel?ref=TRK-P1'])
        self.assertIn("TRK-P1", page_text(links[0]))
        self.assertIn("Blue Widget: 1.00 Units", text)
        self.assertIn("Red Gadget: 2.00 Units", text)
        self.assertIn("Blue Widget: 3.00 Units", text, "the backorder carries the rest")
        self.assertIn("Scheduled:", text)
        self.assertIn("Shipped on:", text)

    def test_shipments_page_lists_company_shipments(self):
        """/my/shipments: the delivery orders of the company's orders (a colleague's too), not another company's,
        each with its order, state, carrier, tracking link, contents and slip; filters and sortings."""
        self.authenticate('stk_ann', 'stk_ann')
        rows = self._listed_shipments('/my/shipments')
        expected = self._pickings_of(self.shipped, self.partly, self.pending, self.colleagues)
        self.assertEqual(set(rows), set(expected.mapped('name')))
        self.assertNotIn('TRK-SECRET', self.url_open('/my/shipments').text)
        row = rows[self.partly_first.name]
        text = page_text(row)
        self.assertIn(self.partly.name, text)
        self.assertEqual(
            row.xpath(".//td[hasclass('o_cp_shipment_order')]/a")[0].get('href'), self.partly.get_portal_url()
        )
        self.assertIn("Shipped", text)
        self.assertIn("Express Parcels", text)
        self.assertIn("Blue Widget: 1.00 Units", text)
        self.assertEqual(
            row.xpath(".//a[hasclass('o_cp_tracking_link')]")[0].get('href'),
            'https://track.example.com/parcel?ref=TRK-P1',
        )
        self.assertEqual(
            row.xpath(".//a[hasclass('o_cp_delivery_slip')]")[0].get('href'), f'/my/picking/pdf/{self.partly_first.id}'
        )
        on_the_way = self._listed_shipments('/my/shipments?filterby=on_the_way')
        self.assertEqual(set(on_the_way), set((self.partly_rest | self.pending.picking_ids).mapped('name')))
        shipped = self._listed_shipments('/my/shipments?filterby=shipped')
        self.assertEqual(set(shipped), set(expected.filtered(lambda p: p.state == 'done').mapped('name')))
        by_name = list(self._listed_shipments('/my/shipments?sortby=name'))
        self.assertEqual(by_name, sorted(by_name))
        # Malformed parameters show the list, not an error.
        self.assertEqual(set(self._listed_shipments('/my/shipments?sortby=nope&filterby=nope&page=abc')), set(rows))

    def test_shipments_paged(self):
        """The list is paged by the portal pager, its links keeping the filter and the sorting."""
        self.authenticate('stk_ann', 'stk_ann')
        from odoo.addons.portal.controllers.portal import CustomerPortal  # noqa: PLC0415

        self.patch(CustomerPortal, '_items_per_page', 2)
        first = self._listed_shipments('/my/shipments?sortby=name&filterby=all')
        self.assertEqual(len(first), 2)
        page = self.url_open('/my/shipments?sortby=name&filterby=all').text
        self.assertIn('/my/shipments/page/2?', page)
        second = self._listed_shipments('/my/shipments/page/2?sortby=name&filterby=all')
        self.assertEqual(len(second), 2)
        self.assertFalse(set(first) & set(second))

    def test_orders_filter_kept_by_pager(self):
        """The next page of a filtered /my/orders keeps the filter."""
        for _i in range(3):
            self._ship(self._new_order(self.contact, [(self.widget, 1)]).picking_ids)
        from odoo.addons.portal.controllers.portal import CustomerPortal  # noqa: PLC0415

        self.patch(CustomerPortal, '_items_per_page', 2)
        self.authenticate('stk_ann', 'stk_ann')
        page = self.url_open('/my/orders?filterby=full').text
        self.assertRegex(page, r'/my/orders/page/2\?[^"]*filterby=full')
        second = self.url_open('/my/orders/page/2?filterby=full').text
        listed = {int(i) for i in re.findall(r'href="/my/orders/(\d+)\?', second)}
        self.assertTrue(listed)
        self.assertTrue(all(self.env['sale.order'].browse(listed).mapped(lambda o: o.delivery_status == 'full')))

    def test_home_counts_shipments_on_the_way(self):
        """The home's Shipments card: "N shipments on the way", a real plural; hidden (0) for a company without
        shipments."""
        self.authenticate('stk_ann', 'stk_ann')
        home = self.url_open('/my').text
        self.assertIn('data-placeholder_count="shipments_on_the_way"', home)
        self.assertEqual(self._counters(['shipments_on_the_way']), {'shipments_on_the_way': "2 shipments on the way"})
        self.pending.picking_ids.action_cancel()
        self.assertEqual(self._counters(['shipments_on_the_way']), {'shipments_on_the_way': "1 shipment on the way"})
        self.partly_rest.action_cancel()
        self.assertEqual(self._counters(['shipments_on_the_way']), {'shipments_on_the_way': "No shipment on the way"})
        customer = self.env['res.partner'].create({'name': "Empty Co", 'is_company': True})
        self._new_portal_user(
            'stk_empty', partner=self.env['res.partner'].create({'name': "Eve", 'parent_id': customer.id})
        )
        self.authenticate('stk_empty', 'stk_empty')
        self.assertEqual(self._counters(['shipments_on_the_way']), {'shipments_on_the_way': 0})

    def test_tour_order_shipment_to_tracking_link(self):
        """In Chromium: the home's shipments on the way, the Shipments page, an order's shipment, its tracking link."""
        self.start_tour('/my', 'customer_portal_stock_shipment_tour', login='stk_ann')

    def test_shipments_query_count_flat(self):
        """The queries of /my/shipments do not grow with the number of shipments (3, then 30)."""
        customer = self.env['res.partner'].create({'name': "Volume Co", 'is_company': True})
        contact = self.env['res.partner'].create({'name': "Val Volume", 'parent_id': customer.id})
        self._new_portal_user('stk_val', partner=contact)
        products = [self.widget, self.gadget]

        def add_shipments(count):
            for index in range(count):
                order = self._new_order(contact, [(products[index % 2], index + 1)])
                if index % 3:
                    self._ship(order.picking_ids, f'VOL-{order.id}')

        add_shipments(3)
        self.authenticate('stk_val', 'stk_val')
        queries = self._count_queries('/my/shipments')
        add_shipments(27)
        self.url_open('/my/shipments')
        self.url_open('/my/shipments')
        with self.assertQueryCount(queries):
            rows = self._listed_shipments('/my/shipments')
        self.assertEqual(len(rows), 30)


@tagged('post_install', '-at_install')
class TestShipmentAccess(ShipmentPagesCase):
    """Who reaches a shipment (C18): the owner, a colleague, another company, a visitor, the order's token; the
    setting off refuses every shipment route."""

    def _slip(self, picking, **params):
        query = '&'.join(f'{key}={value}' for key, value in params.items())
        url = f'/my/picking/pdf/{picking.id}' + (f'?{query}' if query else '')
        return self.url_open(url, allow_redirects=False, timeout=60)

    def _assert_refused(self, response, context):
        self.assertEqual(response.status_code, 404, context)
        self.assertNotIn(PDF_MAGIC, response.content, context)
        self.assertNotIn('application/pdf', response.headers.get('Content-Type', ''), context)

    def test_slip_access_matrix(self):
        """The delivery slip (PDF bytes) to the owner, a colleague and the order's token; 404 and no bytes to
        another company, a visitor without the token, and bad tokens."""
        picking = self.partly_first
        token = self.partly._portal_ensure_token()
        with self._real_pdf():
            for login in ('stk_ann', 'stk_bob'):
                self.authenticate(login, login)
                response = self._slip(picking)
                self.assertEqual(response.status_code, 200, login)
                self.assertTrue(response.content.startswith(PDF_MAGIC), login)
            self.authenticate('stk_olga', 'stk_olga')
            self._assert_refused(self._slip(picking), "another company")
            self._assert_refused(
                self._slip(picking, access_token=token[:-1] + ('x' if token[-1] != 'x' else 'y')),
                "a token one character off",
            )
            self.authenticate(None, None)
            self._assert_refused(self._slip(picking), "a visitor")
            for bad in ('', self.others._portal_ensure_token(), 'a' * 4096, token[:-1]):
                self._assert_refused(self._slip(picking, access_token=bad), f"token {bad[:10]!r}")
            response = self._slip(picking, access_token=token)
            self.assertEqual(response.status_code, 200)
            self.assertTrue(response.content.startswith(PDF_MAGIC), "the order's access link opens its slips")
            # The return label route checks access the same way.
            self._assert_refused(self.url_open(f'/my/picking/return/pdf/{picking.id}', allow_redirects=False), "return")
        # Another company's slip, an unknown id and one beyond PostgreSQL's integers.
        self.authenticate('stk_ann', 'stk_ann')
        for picking_id in (self.others.picking_ids.id, 99999999, 99999999999):
            response = self.url_open(f'/my/picking/pdf/{picking_id}', allow_redirects=False)
            self._assert_refused(response, picking_id)
            self.assertNotIn('TRK-SECRET', response.text)

    def test_token_of_transfer_without_order(self):
        """A token on a transfer that has no order opens nothing, and is no error (stock answered 500)."""
        picking = self.env['stock.picking'].create(
            {
                'picking_type_id': self.env.ref('stock.picking_type_out').id,
                'partner_id': self.contact.id,
                'location_id': self.env.ref('stock.stock_location_stock').id,
                'location_dest_id': self.env.ref('stock.stock_location_customers').id,
            }
        )
        self.authenticate(None, None)
        self._assert_refused(self._slip(picking, access_token='some-token'), "a transfer without order")

    def test_shipments_page_access(self):
        """A visitor is sent to sign in; another company sees its own shipments only."""
        self.authenticate(None, None)
        response = self.url_open('/my/shipments', allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn('/web/login', response.headers['Location'])
        self.authenticate('stk_olga', 'stk_olga')
        self.assertEqual(set(self._listed_shipments('/my/shipments')), set(self.others.picking_ids.mapped('name')))

    def test_setting_off_refuses_shipments(self):
        """Shipments off: /my/shipments and the slips answer 404, the order page and the orders list show no
        shipment, the home no card."""
        self.company.portal_show_shipments = False
        self.authenticate('stk_ann', 'stk_ann')
        for url in ('/my/shipments', '/my/shipments/page/2', f'/my/picking/pdf/{self.partly_first.id}'):
            self._assert_refused(self.url_open(url, allow_redirects=False), url)
        page = self.url_open(f'/my/orders/{self.partly.id}')
        self.assertEqual(page.status_code, 200)
        self.assertNotIn('portal_order_shipments', page.text)
        self.assertNotIn(self.partly_first.name, page.text)
        self.assertNotIn('TRK-P1', page.text)
        orders = self.url_open('/my/orders?filterby=partial').text
        self.assertNotIn('o_cp_delivery_status', orders)
        self.assertNotIn('Partly shipped', orders)
        self.assertIn(self.pending.name, orders, "the filter is gone with the status: every order is listed")
        self.assertNotIn('shipments_on_the_way', self.url_open('/my').text)
        self.assertEqual(self._counters(['shipments_on_the_way']), {'shipments_on_the_way': 0})
        self.authenticate(None, None)
        self._assert_refused(
            self._slip(self.partly_first, access_token=self.partly._portal_ensure_token()), "the order's token"
        )

    def test_sales_orders_off(self):
        """With the Sales Orders section off (P12), shipments are reached from /my/shipments: the order is named,
        not linked, and the slips still open."""
        if 'portal_show_sales_orders' not in self.company._fields:
            self.skipTest("P12 (portal_show_sales_orders) is not in the core addon yet")
        self.company.portal_show_sales_orders = False
        self.authenticate('stk_ann', 'stk_ann')
        row = self._listed_shipments('/my/shipments')[self.partly_first.name]
        self.assertIn(self.partly.name, page_text(row))
        self.assertFalse(row.xpath(".//td[hasclass('o_cp_shipment_order')]/a"))
        self.assertEqual(self._slip(self.partly_first).status_code, 200)

    def test_records_as_portal_user(self):
        """Through the ORM: the colleague's transfers are readable, the other company's are not."""
        Picking = self.env['stock.picking'].with_user(self.portal_user)
        Picking.browse(self.colleagues.picking_ids.ids).check_access('read')  # no AccessError
        self.assertEqual(
            Picking.browse(self.colleagues.picking_ids.ids).read(['name'])[0]['name'], self.colleagues.picking_ids.name
        )
        self.assertFalse(Picking.search([('id', 'in', self.others.picking_ids.ids)]))

from odoo import fields
from odoo.tests import tagged

from .test_portal_sales_orders import PortalSaleCommon

# Queries of /my/quotes with its caches warm, for 3 estimates as for 30.
QUOTES_PAGE_QUERIES = 19


class PortalEstimateCommon(PortalSaleCommon):
    """Acme's estimates, one of each answer: awaiting (``quote``, and one without an expiration date),
    expired, accepted (``order_eur``, ``order_invoiced`` and the down-payment orders), declined from
    the portal, cancelled by the business."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.quote_open_ended = cls._order(cls.customer, [(cls.service, 1, 120.0)], send=True)
        cls.quote_open_ended.validity_date = False
        cls.quote_expired = cls._order(cls.customer, [(cls.service, 1, 210.0)], send=True, validity_date=cls._day(3))
        cls.quote_declined = cls._order(cls.customer, [(cls.service, 1, 330.0)], send=True)
        cls.quote_declined._action_cancel()
        cls.quote_declined.portal_declined_on = fields.Datetime.now()
        cls.quote_cancelled = cls._order(cls.customer, [(cls.service, 1, 440.0)], send=True)
        cls.quote_cancelled._action_cancel()
        cls.other_quote = cls._order(cls.other_customer, [(cls.service, 1, 550.0)], send=True)
        cls.env.flush_all()

    def _estimates(self, url):
        _response, tree = self._page(url)
        return self._row_names(tree, 'o_cp_estimate_row')


@tagged('post_install', '-at_install')
class TestPortalEstimateRules(PortalEstimateCommon):
    """The answer of each estimate, one rule each on sale.order."""

    def test_statuses(self):
        orders = (
            self.quote
            | self.quote_open_ended
            | self.quote_expired
            | self.quote_declined
            | self.quote_cancelled
            | self.order_eur
        )
        self.assertEqual(
            orders._get_portal_estimate_statuses(),
            {
                self.quote.id: 'awaiting',
                self.quote_open_ended.id: 'awaiting',
                self.quote_expired.id: 'expired',
                self.quote_declined.id: 'declined',
                self.order_eur.id: 'accepted',
            },
        )
        SaleOrder = self.env['sale.order']
        for status, domain in SaleOrder._get_portal_estimate_status_domains().items():
            found = SaleOrder.search([('id', 'in', orders.ids), *domain])
            self.assertEqual(
                set(found.ids), {oid for oid, s in orders._get_portal_estimate_statuses().items() if s == status}
            )


@tagged('post_install', '-at_install')
class TestPortalEstimates(PortalEstimateCommon):
    """/my/quotes (C9): filters, the home count, declining with a reason."""

    def test_filters(self):
        self._login(self.portal_user)
        awaiting = {self.quote.name, self.quote_open_ended.name}
        accepted = set(self._customer_orders().mapped('name'))
        self.assertEqual(self._estimates('/my/quotes?filterby=awaiting'), awaiting)
        self.assertEqual(self._estimates('/my/quotes?filterby=expired'), {self.quote_expired.name})
        self.assertEqual(self._estimates('/my/quotes?filterby=declined'), {self.quote_declined.name})
        self.assertEqual(self._estimates('/my/quotes?filterby=accepted'), accepted)
        every = awaiting | accepted | {self.quote_expired.name, self.quote_declined.name, self.quote_cancelled.name}
        self.assertEqual(self._estimates('/my/quotes'), every)
        self.assertEqual(self._estimates('/my/quotes?filterby=bogus&sortby=bogus'), every)
        response, tree = self._page('/my/quotes')
        self.assertNotIn(self.other_quote.name, response.text)
        row = tree.xpath(f"//tr[.//a[normalize-space()='{self.quote_declined.name}']]")[0]
        self.assertIn('Declined', row.text_content())
        row = tree.xpath(f"//tr[.//a[normalize-space()='{self.quote.name}']]")[0]
        self.assertIn('Awaiting Answer', row.text_content())
        self.assertIn('640.00', row.text_content())
        row = tree.xpath(f"//tr[.//a[normalize-space()='{self.quote_expired.name}']]")[0]
        self.assertIn('Expired', row.text_content())

    def test_home_counts_awaiting(self):
        """The home counts the estimates awaiting an answer (not the expired or answered ones)."""
        self._login(self.colleague_user)
        counters = self._jsonrpc('/my/counters', {'counters': ['quotation_count']})['result']
        self.assertEqual(counters['quotation_count'], 2)
        _response, tree = self._home_page()
        link = tree.xpath("//a[contains(@class, 'o_cp_estimates_awaiting')]")[0]
        self.assertEqual(' '.join(link.text_content().split()), '2 estimates awaiting your answer')
        self.assertEqual(link.get('href'), '/my/quotes?filterby=awaiting')
        self.quote_open_ended._action_cancel()
        _response, tree = self._home_page()
        link = tree.xpath("//a[contains(@class, 'o_cp_estimates_awaiting')]")[0]
        self.assertEqual(' '.join(link.text_content().split()), '1 estimate awaiting your answer')

    def _decline(self, order, reason, token=None):
        page_url = f'/my/orders/{order.id}' + (f'?access_token={token}' if token else '')
        page = self.url_open(page_url)
        self.assertEqual(page.status_code, 200)
        query = f'?access_token={token}' if token else ''
        return self.url_open(
            f'/my/orders/{order.id}/decline{query}',
            data={'decline_message': reason, 'csrf_token': self._csrf_token(page.text)},
        )

    def test_decline_with_reason_reaches_salesperson(self):
        """The reason is posted on the chatter by the customer and the salesperson is notified, even
        when they did not follow the quotation; the quotation is declined."""
        self.quote.message_unsubscribe(self.salesperson.partner_id.ids)
        self.assertNotIn(self.salesperson.partner_id, self.quote.message_partner_ids)
        self._login(self.portal_user)
        response = self._decline(self.quote, 'Too expensive for us this year')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.quote.state, 'cancel')
        self.assertTrue(self.quote.portal_declined_on)
        message = self.quote.message_ids.filtered(lambda m: 'Too expensive for us this year' in (m.body or ''))
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.portal_user.partner_id)
        self.assertIn(self.salesperson.partner_id, message.notification_ids.res_partner_id)
        self.assertEqual(self._estimates('/my/quotes?filterby=declined'), {self.quote.name, self.quote_declined.name})

    def test_decline_by_token_visitor(self):
        self.authenticate(None, None)
        response = self._decline(self.quote, 'We chose another supplier', token=self.quote._portal_ensure_token())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.quote.state, 'cancel')
        message = self.quote.message_ids.filtered(lambda m: 'We chose another supplier' in (m.body or ''))
        self.assertIn(self.salesperson.partner_id, message.notification_ids.res_partner_id)

    def test_decline_without_reason_refused(self):
        """An empty reason is refused with a clear message and changes nothing."""
        self._login(self.portal_user)

        def comments():
            self.quote.invalidate_recordset()
            return self.quote.message_ids.filtered(lambda m: m.message_type == 'comment')

        messages = comments()
        for reason in ('', '   \n  '):
            response = self._decline(self.quote, reason)
            self.assertEqual(response.status_code, 200)
            self.assertIn('message=decline_reason_missing', response.url)
            self.assertIn('the reason is required', response.text)
            self.assertEqual(comments(), messages)
            self.assertEqual(self.quote.state, 'sent')
            self.assertFalse(self.quote.portal_declined_on)

    def test_quotes_page_query_count(self):
        """/my/quotes makes the same queries for 3 estimates as for 30."""
        customer = self.env['res.partner'].create({'name': 'Volume Prospect', 'is_company': True})
        contact = self.env['res.partner'].create({'name': 'Val Volume', 'parent_id': customer.id})
        user = self._new_portal_user('cp_quote_volume', contact)

        def add_quotes(count):
            for i in range(count):
                quote = self._order(customer, [(self.service, 1, 10.0 + i)], send=True)
                if i % 3 == 1:
                    quote._action_cancel()
                elif i % 3 == 2:
                    quote.action_confirm()
            self.env.flush_all()

        add_quotes(3)
        self._login(user)
        count_3 = self._count_queries('/my/quotes')
        add_quotes(27)
        count_30 = self._count_queries('/my/quotes')
        self.assertEqual(count_30, count_3)
        self.url_open('/my/quotes')
        with self.assertQueryCount(QUOTES_PAGE_QUERIES):
            response = self.url_open('/my/quotes')
        self.assertEqual(response.text.count('o_cp_estimate_row'), 30)

    def test_tour_orders_tabs_and_decline(self):
        """In a browser: the Not Invoiced and All tabs, then the estimate awaiting an answer, declined
        with a reason."""
        self.quote_open_ended._action_cancel()
        self.start_tour('/my/orders', 'customer_portal_sales_tour', login=self.portal_user.login)
        self.assertEqual(self.quote.state, 'cancel')
        self.assertTrue(self.quote.portal_declined_on)
        self.assertIn('Your prices are too high for us this year', ' '.join(self.quote.message_ids.mapped('body')))

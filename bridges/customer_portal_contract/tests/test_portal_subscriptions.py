# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from lxml import html

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import format_amount, format_date

from .common import SubscriptionHttpCase


def page_text(element):
    """The words of an element as the customer reads them (no-break spaces as spaces, blanks collapsed)."""
    return ' '.join(element.text_content().replace('\xa0', ' ').split())


@tagged('post_install', '-at_install')
class TestSubscriptionSettings(SubscriptionHttpCase):
    """P15's setting: off, contract's portal pages are refused and its home card is not rendered."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls._new_contract(cls.customer, "Acme Hosting")

    def test_routes_refused_when_off(self):
        """Subscriptions off: /my/contracts and a contract of the customer's own answer 404."""
        self.company.portal_view_subscriptions = False
        self.authenticate('sub_ann', 'sub_ann')
        for url in ('/my/contracts', '/my/contracts/page/2', f'/my/contracts/{self.contract.id}'):
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 404, url)
            self.assertNotIn("Acme Hosting", response.text, url)
        # The access link of the contract does not open it either.
        self.authenticate(None, None)
        response = self.url_open(
            f'/my/contracts/{self.contract.id}?access_token={self.contract._portal_ensure_token()}',
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 404)

    def test_home_and_invoice_filter_when_off(self):
        """Subscriptions off: no Contracts card on the home (counter 0), no Subscription filter on /my/invoices."""
        self.company.portal_view_subscriptions = False
        self.authenticate('sub_ann', 'sub_ann')
        home = self.url_open('/my')
        self.assertEqual(home.status_code, 200)
        self.assertNotIn('/my/contracts', home.text)
        counters = self.make_jsonrpc_request('/my/counters', {'counters': ['contract_count']})
        self.assertEqual(counters.get('contract_count'), 0)
        invoices = self.url_open('/my/invoices?filterby=subscription')
        self.assertEqual(invoices.status_code, 200)
        offered = html.fromstring(invoices.text).xpath("//div[@aria-labelledby='portal_searchbar_filters']//a/@href")
        self.assertTrue(offered)
        self.assertNotIn('/my/invoices?filterby=subscription', offered)
        self.assertIn('/my/invoices?filterby=subscription', self._filters_offered_when_on())

    def _filters_offered_when_on(self):
        self.company.portal_view_subscriptions = True
        page = self.url_open('/my/invoices')
        return html.fromstring(page.text).xpath("//div[@aria-labelledby='portal_searchbar_filters']//a/@href")

    def test_pages_open_when_on(self):
        """Subscriptions on: the home links the card, counts the contract, and the pages open."""
        self.authenticate('sub_ann', 'sub_ann')
        home = self.url_open('/my')
        self.assertIn('href="/my/contracts"', home.text.replace("'", '"'))
        counters = self.make_jsonrpc_request('/my/counters', {'counters': ['contract_count']})
        self.assertEqual(counters.get('contract_count'), 1)
        for url in ('/my/contracts', f'/my/contracts/{self.contract.id}'):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertIn("Acme Hosting", response.text, url)


@tagged('post_install', '-at_install')
class TestSubscriptionAccess(SubscriptionHttpCase):
    """Who sees which contract: the customer company's sale contracts, whoever of its contacts they are for."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own = cls._new_contract(cls.customer, "Acme Hosting")
        cls.colleagues = cls._new_contract(cls.colleague, "Bob's Backup")
        cls.supplier = cls._new_contract(cls.customer, "Acme Supplies", contract_type='purchase', invoices=0)
        cls.others = cls._new_contract(cls.other_customer, "Other Secret Plan")

    def test_other_customer_contract_refused(self):
        """Another customer's contract, an unknown id and an id beyond PostgreSQL's integers answer 404."""
        self.authenticate('sub_ann', 'sub_ann')
        for contract_id in (self.others.id, self.others.id + 1000, 99999999999):
            response = self.url_open(f'/my/contracts/{contract_id}', allow_redirects=False)
            self.assertEqual(response.status_code, 404, contract_id)
            self.assertNotIn("Other Secret Plan", response.text)
        self.assertNotIn("Other Secret Plan", self.url_open('/my/contracts').text)
        # A wrong access token opens nothing either.
        self.authenticate(None, None)
        response = self.url_open(f'/my/contracts/{self.others.id}?access_token=wrong', allow_redirects=False)
        self.assertEqual(response.status_code, 404)

    def test_company_contracts_listed(self):
        """The list holds the customer company's sale contracts, a colleague's too; not purchase contracts."""
        self.authenticate('sub_ann', 'sub_ann')
        page = self.url_open('/my/contracts')
        self.assertIn("Acme Hosting", page.text)
        self.assertIn("Bob&#39;s Backup", page.text.replace("'", '&#39;'))
        self.assertNotIn("Acme Supplies", page.text)
        self.assertEqual(self.url_open(f'/my/contracts/{self.colleagues.id}').status_code, 200)

    def test_records_as_portal_user(self):
        """Through the ORM too: the other customer's contract and its lines are out of the portal user's reach."""
        Contract = self.env['contract.contract'].with_user(self.portal_user)
        self.assertEqual(
            Contract.search([]), self.own | self.colleagues, "contract's follower rule plus the company's contracts"
        )
        Line = self.env['contract.line'].with_user(self.portal_user)
        self.assertFalse(Line.search([('contract_id', '=', self.others.id)]))
        with self.assertRaises(AccessError):
            self.others.contract_line_ids.with_user(self.portal_user).read(['price_unit'])

    def test_malformed_list_parameters(self):
        """An unknown sorting or a page that is no number shows the list, not an error."""
        self.authenticate('sub_ann', 'sub_ann')
        response = self.url_open('/my/contracts?sortby=nope&page=abc')
        self.assertEqual(response.status_code, 200)
        self.assertIn("Acme Hosting", response.text)


@tagged('post_install', '-at_install')
class TestSubscriptionPages(SubscriptionHttpCase):
    """What /my/contracts, a contract's page and the Subscription filter of /my/invoices show (C11)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hosting = cls._new_contract(cls.customer, "Acme Hosting", price=40.0, invoices=2)
        cls.backup = cls._new_contract(cls.colleague, "Bob's Backup", price=15.5, rule='monthly', interval=3)
        cls.plain_invoice = cls.env['account.move'].create(
            {
                'move_type': 'out_invoice',
                'partner_id': cls.customer.id,
                'invoice_line_ids': [
                    (0, 0, {'product_id': cls.product.id, 'quantity': 1, 'price_unit': 99.0, 'tax_ids': [(5, 0)]})
                ],
            }
        )
        cls.plain_invoice.action_post()

    def _details_by_contract(self, page):
        """The text of each contract's row and of the row under it (lines and invoices), by contract name."""
        doc = html.fromstring(page)
        details = {}
        for row in doc.xpath("//tr[hasclass('o_cp_contract_details')]"):
            head = row.getprevious()
            name = page_text(head.xpath('.//a')[0])
            details[name] = (page_text(head), page_text(row), row)
        return details

    def _assert_invoices_shown(self, text, element, contract):
        invoices = contract._get_related_invoices()
        self.assertTrue(invoices)
        links = {a.get('href') for a in element.xpath(".//table[hasclass('o_cp_contract_invoices')]//a")}
        self.assertEqual(links, {f'/my/invoices/{invoice.id}' for invoice in invoices})
        for invoice in invoices:
            self.assertIn(invoice.name, text)
            amount = format_amount(self.env, invoice.amount_total, invoice.currency_id).replace('\xa0', ' ')
            self.assertIn(amount, text, "each invoice's amount, with its currency")

    def test_list_shows_contract_data(self):
        """Each contract: state, its line (quantity, price with currency, recurrence, next date), its invoices."""
        self.authenticate('sub_ann', 'sub_ann')
        details = self._details_by_contract(self.url_open('/my/contracts').text)
        self.assertEqual(set(details), {"Acme Hosting", "Bob's Backup"})
        head, text, row = details["Acme Hosting"]
        self.assertIn("Active", head)
        self.assertIn(format_date(self.env, self.hosting.recurring_next_date), head)
        self.assertIn("Acme Hosting line: 2.00 ×", text)
        self.assertIn(format_amount(self.env, 40.0, self.currency).replace('\xa0', ' '), text)
        self.assertIn("Every month", text)
        self.assertIn(f"Next invoice: {format_date(self.env, self.hosting.recurring_next_date)}", text)
        self._assert_invoices_shown(text, row, self.hosting)
        self.assertEqual(len(self.hosting._get_related_invoices()), 2)
        head, text, row = details["Bob's Backup"]
        self.assertIn("Every 3 months", text)
        self.assertIn(format_amount(self.env, 15.5, self.currency).replace('\xa0', ' '), text)
        self._assert_invoices_shown(text, row, self.backup)
        self.assertNotIn(self.plain_invoice.name, text)

    def test_contract_page_lists_invoices(self):
        """A contract's page shows its state and its invoices with amounts and currency."""
        self.authenticate('sub_ann', 'sub_ann')
        page = self.url_open(f'/my/contracts/{self.hosting.id}')
        self.assertEqual(page.status_code, 200)
        doc = html.fromstring(page.text)
        section = doc.xpath("//div[@id='portal_contract_invoices']")[0]
        self._assert_invoices_shown(page_text(section), section, self.hosting)
        self.assertIn("State Active", page_text(doc.xpath("//div[@id='product_information']")[0]))

    def test_invoice_filter_lists_contract_invoices(self):
        """/my/invoices?filterby=subscription lists exactly the invoices made from the customer's contracts."""
        self.authenticate('sub_ann', 'sub_ann')
        page = self.url_open('/my/invoices?filterby=subscription')
        self.assertEqual(page.status_code, 200)
        self.assertIn('Subscription', page.text)
        listed = {int(i) for i in re.findall(r'href="/my/invoices/(\d+)\?', page.text)}
        expected = (self.hosting._get_related_invoices() | self.backup._get_related_invoices()).ids
        self.assertEqual(listed, set(expected))
        self.assertNotIn(self.plain_invoice.id, listed)
        everything = {int(i) for i in re.findall(r'href="/my/invoices/(\d+)\?', self.url_open('/my/invoices').text)}
        self.assertIn(self.plain_invoice.id, everything)

    def test_list_query_count_flat(self):
        """The list's queries do not grow with the number of contracts, their lines and their invoices."""
        self.authenticate('sub_ann', 'sub_ann')
        queries = self._count_queries('/my/contracts')
        for index in range(4):
            self._new_contract(self.customer, f"Extra Plan {index}", invoices=2)
        self.url_open('/my/contracts')
        self.url_open('/my/contracts')
        with self.assertQueryCount(queries):
            page = self.url_open('/my/contracts')
        self.assertEqual(len(self._details_by_contract(page.text)), 6)

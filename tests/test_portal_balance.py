import json

from lxml import html

from odoo import Command
from odoo.tests import tagged

from .common_portal_account import PortalAccountCommon

# Queries of /my and of what it asks for after the page (/my/account_summary: the counters of its cards
# and the customer's cards) for a portal customer with a payment, the same for 10 and 200 invoices. The
# cards were on the home itself until they came after the page as stock's counters do (36 queries then,
# 28 for stock's home in the benchmark). The company's contacts are read once for the whole request (46
# queries when the cards and three of our counters each read them, and the credit notes counter expanded
# them again). Then the cards' own queries: the balance summary in one query, the last payment with its
# search, the estimates counted with those contacts; the counters': stock's (each leaf child_of expands
# the company's contacts) and ours.
HOME_PAGE_QUERIES = 25
HOME_REST_QUERIES = 43
# The counters of the home's cards without the optional apps (the bridges add theirs).
HOME_COUNTERS = [
    'overdue_invoice_count',
    'quotation_count',
    'order_count',
    'invoice_count',
    'bill_count',
    'payment_count',
    'retainer_invoice_count',
    'credit_note_count',
    'shared_document_count',
]


def _amount(value):
    return f"{value:,.2f}"


@tagged('post_install', '-at_install')
class TestPortalBalanceSummary(PortalAccountCommon):
    """C1 home balance summary: the figures of the model and of the home page."""

    # ------------------------------------------------------------
    # Model: every figure equals what the journal items say
    # ------------------------------------------------------------

    def test_balance_summary_equals_journal_items(self):
        """Each figure of the balance summary equals what the journal items say."""
        lines = self._receivable_lines()
        invoice_lines = lines.filtered(lambda aml: aml.move_id.move_type in ('out_invoice', 'out_receipt'))
        retainer_lines = lines.filtered(
            lambda aml: aml.move_id.move_type == 'out_invoice' and aml.move_id._is_downpayment()
        )
        summary = self.customer._get_portal_balance_summary(company=self.company)
        totals = summary['totals']
        cur = self.company.currency_id
        self.assertAlmostEqual(totals['balance_payable'], cur.round(sum(lines.mapped('balance'))))
        self.assertAlmostEqual(
            totals['outstanding_invoices'], cur.round(sum(r for r in invoice_lines.mapped('amount_residual') if r > 0))
        )
        self.assertAlmostEqual(
            totals['available_credits'], cur.round(-sum(r for r in lines.mapped('amount_residual') if r < 0))
        )
        self.assertAlmostEqual(
            totals['outstanding_retainer_invoices'],
            cur.round(sum(r for r in retainer_lines.mapped('amount_residual') if r > 0)),
        )
        for figures in summary['by_currency']:
            currency_lines = lines.filtered(lambda aml, figures=figures: aml.currency_id == figures['currency'])
            self.assertAlmostEqual(figures['balance_payable'], sum(currency_lines.mapped('amount_currency')))
            self.assertAlmostEqual(
                figures['outstanding_invoices'],
                sum(r for r in (currency_lines & invoice_lines).mapped('amount_residual_currency') if r > 0),
            )
            self.assertAlmostEqual(
                figures['available_credits'],
                -sum(r for r in currency_lines.mapped('amount_residual_currency') if r < 0),
            )
        # Balance Payable is the receivable balance: outstanding invoices minus available credits
        # here, as every reconciliation stays within the customer's receivable items.
        self.assertAlmostEqual(totals['balance_payable'], totals['outstanding_invoices'] - totals['available_credits'])

    def test_balance_summary_figures(self):
        """The same figures worked out by hand from the fixture (USD; 1 USD = 2 EUR)."""
        summary = self.customer._get_portal_balance_summary(company=self.company)
        self.assertEqual(
            summary['totals'],
            {
                'outstanding_invoices': 900 + 300 + 150 + 150 + 900,
                'available_credits': 50 + 70,
                'balance_payable': 2400 - 120,
                'outstanding_retainer_invoices': 150,
                'available_retainer_payments': 200,
            },
        )
        by_currency = {f['currency']: f for f in summary['by_currency']}
        self.assertTrue(summary['multi_currency'])
        self.assertEqual(by_currency[self.eur]['outstanding_invoices'], 300)
        self.assertEqual(by_currency[self.eur]['balance_payable'], 300)
        self.assertEqual(by_currency[self.company.currency_id]['outstanding_invoices'], 2250)
        self.assertEqual(by_currency[self.company.currency_id]['available_retainer_payments'], 200)
        # Another company's figures hold nothing of Acme's.
        other = self.other_customer._get_portal_balance_summary(company=self.company)
        self.assertEqual(other['totals']['outstanding_invoices'], 777)
        self.assertEqual(other['totals']['available_retainer_payments'], 0)

    def test_last_payment(self):
        """The last payment is the latest one and names the invoice it paid."""
        payment = self.env['account.payment']._get_portal_last_payment(self.customer, company=self.company)
        self.assertEqual(payment, self.eur_payment)
        self.assertEqual(payment.reconciled_invoice_ids, self.inv4)

    # ------------------------------------------------------------
    # Home page
    # ------------------------------------------------------------

    def _assert_home_figures(self, user):
        self._login(user)
        response, tree = self._home_page()
        totals = self.customer._get_portal_balance_summary(company=self.company)['totals']
        for key in (
            'outstanding_invoices',
            'available_credits',
            'balance_payable',
            'outstanding_retainer_invoices',
            'available_retainer_payments',
        ):
            self.assertIn(_amount(totals[key]), self._text(tree, 'o_cp_' + key), key)
        self.assertIn('300.00', self._text(tree, 'o_cp_balance_by_currency'))  # the EUR row
        self.assertIn('100.00', self._text(tree, 'o_cp_last_payment_amount'))  # EUR
        self.assertIn(self.inv4.name, self._text(tree, 'o_cp_last_payment'))
        self.assertIn('US-ACME-42', self._text(tree, 'o_cp_vat'))
        self.assertIn('Bob Acme', self._text(tree, 'o_cp_contact_persons'))
        self.assertIn(self.company.name, self._text(tree, 'o_cp_business_contact'))
        self.assertNotIn('777.00', response.text)
        return tree

    def test_home_owner_and_colleague_see_company_figures(self):
        """The contact and a colleague see the company's figures on the home page."""
        tree = self._assert_home_figures(self.portal_user)
        # Without bulk payments, Pay Now opens the outstanding list that the card adds up.
        self.assertEqual(tree.xpath("//a[contains(@class, 'o_cp_pay_now')]/@href"), ['/my/invoices?filterby=unpaid'])
        self.company.portal_bulk_payment = True
        tree = self._assert_home_figures(self.colleague_user)
        self.assertEqual(tree.xpath("//a[contains(@class, 'o_cp_pay_now')]/@href"), ['/my/invoices/pay'])

    def test_home_estimates_awaiting_answer(self):
        """Real plurals (issue 8 item 10): "1 estimate", "2 estimates", never "estimate(s)"."""

        def send_quotation():
            order = self.env['sale.order'].create(
                {
                    'partner_id': self.customer.id,
                    'order_line': [Command.create({'product_id': self.service.id, 'product_uom_qty': 2})],
                }
            )
            order.action_quotation_sent()

        send_quotation()
        self._login(self.portal_user)
        response, tree = self._home_page()
        self.assertEqual(
            ' '.join(self._text(tree, 'o_cp_estimates_awaiting').split()), '1 estimate awaiting your answer'
        )
        self.assertNotIn('(s)', response.text)
        send_quotation()
        response, tree = self._home_page()
        self.assertEqual(
            ' '.join(self._text(tree, 'o_cp_estimates_awaiting').split()), '2 estimates awaiting your answer'
        )
        self.assertNotIn('(s)', response.text)

    def test_home_other_company_user_sees_nothing_of_ours(self):
        """Another customer's user sees nothing of ours on the home page and lists."""
        self._login(self.other_user)
        tree = self._home_page()[1]
        self.assertIn('777.00', self._text(tree, 'o_cp_outstanding_invoices'))
        home = html.tostring(tree, encoding='unicode')
        for secret in ('2,280.00', '2,400.00', 'US-ACME-42', 'Bob Acme', self.inv4.name):
            self.assertNotIn(secret, home)
        self.assertNotIn(self.inv1.name, self.url_open('/my/invoices').text)
        self.assertNotIn(self.dp2.name, self.url_open('/my/retainer_invoices').text)

    def _amounts_by_symbol(self, cells):
        """{currency symbol: sum} of the amounts written in ``cells`` ("$ 900.00", "300.00 €")."""
        sums = {}
        for cell in cells:
            parts = cell.text_content().split()
            number = next(part for part in parts if part[:1].isdigit())
            symbol = next(part for part in parts if not part[:1].isdigit())
            sums[symbol] = round(sums.get(symbol, 0.0) + float(number.replace(',', '')), 2)
        return sums

    def test_home_outstanding_total_and_link_agree_with_the_list(self):
        """One meaning of "outstanding" (issue 8, item 3): the card's figure, its link and the
        list it opens are the unpaid invoices, not yet due ones included; past due is "Past Due"."""
        not_due = self.env['account.move'].create(
            {
                'move_type': 'out_invoice',
                'partner_id': self.customer.id,
                'invoice_date': self.today,
                'date': self.today,
                'invoice_date_due': self._day(-30),
                'invoice_line_ids': [
                    Command.create({'name': 'Service', 'quantity': 1, 'price_unit': 250.0, 'tax_ids': []})
                ],
            }
        )
        not_due.action_post()
        self.assertEqual(not_due.invoice_date_due, self._day(-30))
        self._login(self.portal_user)
        _response, tree = self._home_page()
        summary = self.customer._get_portal_balance_summary(company=self.company)
        self.assertIn(_amount(summary['totals']['outstanding_invoices']), self._text(tree, 'o_cp_outstanding_invoices'))
        links = tree.xpath("//a[contains(@class, 'o_cp_outstanding_invoices_link')]/@href")
        self.assertEqual(links, ['/my/invoices?filterby=unpaid'])

        _response, listing = self._page(links[0])
        rows = listing.xpath("//table[contains(@class, 'o_portal_my_doc_table')]/tbody/tr[td]")
        names = {row.xpath('./td[1]/a/@title')[0] for row in rows}
        unpaid = self.inv1 + self.inv2 + self.inv4 + self.dp2 + self.final3 + not_due
        self.assertEqual(names, set(unpaid.mapped('name')))
        # The list adds up to the card's figure, currency by currency.
        listed = self._amounts_by_symbol([row.xpath("./td[contains(@class, 'text-end')]")[0] for row in rows])
        card = {f['currency'].symbol: f['outstanding_invoices'] for f in summary['by_currency']}
        self.assertEqual(listed, card)
        tabs = {a.text_content().strip(): a for a in listing.xpath("//ul[contains(@class, 'o_cp_invoice_tabs')]//a")}
        self.assertEqual(set(tabs), {'Outstanding', 'Past Due', 'All'})
        self.assertIn('active', tabs['Outstanding'].get('class'))
        self.assertIn('filterby=overdue', tabs['Past Due'].get('href'))

        # "Past Due" is what it says: the invoice not yet due is not in it.
        _response, past_due = self._page(tabs['Past Due'].get('href'))
        past_due_names = set(
            past_due.xpath("//table[contains(@class, 'o_portal_my_doc_table')]/tbody/tr/td[1]/a/@title")
        )
        self.assertEqual(past_due_names, set((unpaid - not_due).mapped('name')))
        self.assertIn(
            'Past Due',
            past_due.xpath("//ul[contains(@class, 'o_cp_invoice_tabs')]//a[contains(@class, 'active')]")[
                0
            ].text_content(),
        )
        # Links sent before keep working: the former Outstanding tab is the unpaid list.
        self.assertEqual(self._invoice_names('/my/invoices?filterby=outstanding'), set(unpaid.mapped('name')))

    def test_home_company_details_card_says_what_it_edits(self):
        """The card shows the company; the one Edit link of the page edits the signed-in person
        and says so (issue 8, item 9)."""
        self._login(self.portal_user)
        _response, tree = self._home_page()
        [card] = tree.xpath("//div[contains(@class, 'o_cp_my_details')]")
        self.assertEqual(
            ' '.join(card.xpath(".//*[contains(@class, 'card-header')]")[0].text_content().split()), 'Company Details'
        )
        self.assertEqual(
            card.xpath(".//*[contains(@class, 'o_cp_company_name')]")[0].text_content().strip(), self.customer.name
        )
        self.assertIn("your company's details", card.text_content())
        self.assertFalse(card.xpath('.//a[contains(@href, "/my/account")]'))
        # One Edit link for the signed-in person (stock renders the side column twice: once for
        # wide screens, once in the phone's offcanvas menu; each shows on its own screen size).
        edit_links = tree.xpath('//a[@href="/my/account"]')
        self.assertTrue(edit_links)
        self.assertEqual({' '.join(link.text_content().split()) for link in edit_links}, {'Edit my contact details'})
        self.assertEqual(
            len(tree.xpath("//a[contains(@class, 'o_cp_edit_my_contact_details')]")),
            len(tree.xpath("//*[contains(@class, 'o_portal_my_details')]")),
        )
        self.assertNotIn('My Details', tree.text_content())

    def test_home_anonymous_redirected(self):
        """A visitor is sent to the login page and sees no figure, from the home or from its cards."""
        response = self.url_open('/my')
        self.assertIn('/web/login', response.url)
        self.assertNotIn('2,280.00', response.text)
        self.assertNotIn('o_cp_balance_summary', response.text)
        answer = self._jsonrpc('/my/account_summary', {'counters': ['invoice_count']})
        self.assertEqual(answer['error']['code'], 100, "the session expired: the script shows its error")
        self.assertNotIn('result', answer)
        self.assertNotIn('o_cp_balance_summary', json.dumps(answer))

    def test_home_cards_after_the_page(self):
        """The home itself shows no figure: its placeholder says the cards are loading and names their
        route, which answers, in one request, the counters of the home's cards and the customer's own
        cards; an internal user has no cards (404) and portal's own counters."""
        self._login(self.portal_user)
        response = self.url_open('/my')
        tree = html.fromstring(response.content)
        [placeholder] = tree.xpath("//div[contains(@class, 'o_cp_home_account_placeholder')]")
        self.assertEqual(placeholder.get('data-url'), '/my/account_summary')
        self.assertEqual(placeholder.get('aria-busy'), 'true')
        self.assertIn('Loading your balance and details', placeholder.text_content())
        self.assertNotIn('o_cp_balance_summary', response.text)
        counters = tree.xpath('//*[@data-placeholder_count]/@data-placeholder_count')
        self.assertGreater(len(counters), 5, "more counters than portal.js sends in one of its requests")
        rest = self._home_rest(tree)
        self.assertEqual(set(rest['counters']), set(counters))
        # Found (stock's counters of invoices stop at 1: the card only says whether there are some).
        self.assertEqual(rest['counters']['invoice_count'], 1)
        self.assertEqual(rest['counters']['credit_note_count'], 1)
        cards = html.fromstring(rest['cards'])
        self.assertIn(self.customer.name, self._text(cards, 'o_cp_company_name'))
        self.assertIn('2,280.00', self._text(cards, 'o_cp_balance_summary'))
        self.assertNotIn('<html', rest['cards'], "a part of the home, not a page")
        # Unknown names and a malformed list ask for nothing, and the cards still come.
        for asked in (['no_such_counter'], 'invoice_count', {'a': 1}, [1, None]):
            answer = self._jsonrpc('/my/account_summary', {'counters': asked})
            self.assertEqual(answer['result']['counters'], {}, asked)
            self.assertIn('o_cp_balance_summary', answer['result']['cards'], asked)
        self.authenticate('admin', 'admin')
        self.assertFalse(html.fromstring(self.url_open('/my').content).xpath("//*[@data-url='/my/account_summary']"))
        self.assertEqual(self._jsonrpc('/my/account_summary', {'counters': []})['error']['code'], 404)

    # ------------------------------------------------------------
    # Query count does not grow with the number of documents
    # ------------------------------------------------------------

    def test_home_query_count_independent_of_invoices(self):
        """The home page and its cards make the same number of queries for 10 and 200 invoices, the
        Last Payment Made card included."""
        customer = self.env['res.partner'].create({'name': 'Volume Customer', 'is_company': True})
        contact = self.env['res.partner'].create({'name': 'Vera Volume', 'parent_id': customer.id})
        user = self._new_portal_user('volume_vera', contact)
        self._create_many_invoices(customer, 10)
        paid = self.env['account.move'].search([('partner_id', '=', customer.id)], order='id', limit=1)
        self._pay(paid, paid.amount_total, self._day(0))
        self._login(user)
        count_10 = self._count_queries('/my')
        counters = {'counters': HOME_COUNTERS}
        cards_10 = self._count_queries('/my/account_summary', counters)
        self._create_many_invoices(customer, 190)
        count_200 = self._count_queries('/my')
        self.assertEqual(count_200, count_10)
        self.assertEqual(self._count_queries('/my/account_summary', counters), cards_10)
        self.url_open('/my')
        with self.assertQueryCount(HOME_PAGE_QUERIES):
            self.url_open('/my')
        with self.assertQueryCount(HOME_REST_QUERIES):
            self._jsonrpc('/my/account_summary', counters)
        self.assertIn(paid.name, self._text(self._home_page()[1], 'o_cp_last_payment'))

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from lxml import html

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common_portal_account import PortalAccountCommon


@tagged('post_install', '-at_install')
class TestPortalStatement(PortalAccountCommon):
    """C5: statement of account with running balance and aging, on the page and as a PDF."""

    def _check_statement(self, date_from, date_to):
        statement = self.env['report.customer_portal.report_portal_statement']._get_statement(
            self.customer, date_from, date_to, company=self.company
        )
        lines = self._receivable_lines()
        self.assertEqual(
            {s['currency'] for s in statement['sections']},
            set(lines.filtered(lambda aml: aml.date <= date_to).currency_id),
        )
        for section in statement['sections']:
            cur = section['currency']
            cur_lines = lines.filtered(lambda aml, cur=cur: aml.currency_id == cur)
            before = cur_lines.filtered(lambda aml: aml.date < date_from)
            period = cur_lines.filtered(lambda aml: date_from <= aml.date <= date_to)
            upto = cur_lines.filtered(lambda aml: aml.date <= date_to)
            self.assertAlmostEqual(section['opening'], cur.round(sum(before.mapped('amount_currency'))))
            self.assertAlmostEqual(section['closing'], cur.round(sum(upto.mapped('amount_currency'))))
            # One line per journal entry of the period, with its amount and a running balance.
            self.assertEqual(
                [entry['move_id'] for entry in section['lines']],
                list(
                    dict.fromkeys(period.sorted(lambda aml: (aml.date, aml.move_id.name, aml.move_id.id)).move_id.ids)
                ),
            )
            running = section['opening']
            for line in section['lines']:
                expected = sum(
                    period.filtered(lambda aml, line=line: aml.move_id.id == line['move_id']).mapped('amount_currency')
                )
                self.assertAlmostEqual(line['amount'], expected)
                self.assertAlmostEqual(line['debit'] - line['credit'], expected)
                running += line['amount']
                self.assertAlmostEqual(line['balance'], cur.round(running))
            # Opening + movements = closing; the aging sums to the balance due.
            self.assertAlmostEqual(
                cur.round(section['opening'] + section['total_debit'] - section['total_credit']), section['closing']
            )
            self.assertAlmostEqual(cur.round(sum(section['aging'].values())), section['closing'])
            self.assertAlmostEqual(
                section['closing_company'], self.company.currency_id.round(sum(upto.mapped('balance')))
            )
        return statement

    def test_statement_equals_journal_items(self):
        """The statement's balances and lines equal the journal items, for several periods."""
        for days_from, days_to in ((45, 0), (200, 0), (70, 30), (5, 4), (400, 300)):
            self._check_statement(self._day(days_from), self._day(days_to))

    def test_statement_figures_and_aging(self):
        """The statement's figures and aging worked out by hand from the fixture."""
        statement = self._check_statement(self._day(45), self.today)
        sections = {s['currency']: s for s in statement['sections']}
        usd = sections[self.company.currency_id]
        # Before the period: inv1 1000, cn1 -100, inv2 500, final3 900, dp3 100 and its payment -100.
        self.assertEqual(usd['opening'], 2300)
        self.assertEqual(usd['closing'], 2280 - 150)
        self.assertEqual(sections[self.eur]['closing'], 300)
        self.assertEqual(statement['company_closing'], 2280)
        self.assertEqual(
            usd['aging'], {'current': 0, '1_30': 150 - 120, '31_60': 300 + 900, '61_90': 0, '90_plus': 900}
        )
        self.assertEqual(sections[self.eur]['aging']['31_60'], 300)
        kinds = {line['name']: line['type'] for line in usd['lines']}
        self.assertEqual(kinds[self.cn2.name], 'Credit Note')
        self.assertEqual(kinds[self.refund.move_id.name], 'Refund')
        self.assertEqual(kinds[self.unapplied_payment.move_id.name], 'Payment')
        # At a past date, what was paid afterwards is still open in the aging.
        past = self._check_statement(self._day(60), self._day(45))
        usd_past = {s['currency']: s for s in past['sections']}[self.company.currency_id]
        self.assertEqual(usd_past['closing'], 2300)
        # inv2 is still wholly open on that date: its payment of 200 came later.
        self.assertEqual(usd_past['aging'], {'current': 0, '1_30': 500 + 900, '31_60': 900, '61_90': 0, '90_plus': 0})

    def test_statement_periods(self):
        """Each named period gives its dates; malformed ones are refused."""
        Statement = self.env['report.customer_portal.report_portal_statement']
        today = self.today
        self.assertEqual(Statement._get_period('this_month'), (today.replace(day=1), today + relativedelta(day=31)))
        start, end = Statement._get_period('last_month')
        self.assertEqual((start.day, end + timedelta(days=1)), (1, today.replace(day=1)))
        start, end = Statement._get_period('this_quarter')
        self.assertTrue(start <= today <= end and start.month in (1, 4, 7, 10) and (end - start).days < 93)
        self.assertEqual(Statement._get_period('this_year'), (date(today.year, 1, 1), date(today.year, 12, 31)))
        self.assertEqual(
            Statement._get_period('custom', '2024-01-01', '2024-03-31'), (date(2024, 1, 1), date(2024, 3, 31))
        )
        for bad in (
            ('custom', '2024-13-01', '2024-12-01'),
            ('custom', '2024-05-01', '2024-01-01'),
            ('custom', '1800-01-01', '2000-01-01'),
            ('custom', '2000-01-01', '2100-01-01'),
            ('custom', None, '2024-01-01'),
            ('custom', 'yesterday', 'today'),
            ('decade', None, None),
            ('custom', '2024-01-01xyz', '2024-02-01'),
            ('custom', '2024-01-01', "2024-02-01' OR '1'='1"),
            ('custom', '2024-01-01T00:00:00', '2024-02-01'),
            ('custom', ' 2024-01-01', '2024-02-01'),
            ('custom', '2024-01-01\n', '2024-02-01'),
            ('custom', '2024-1-01', '2024-02-01'),
            ('custom', '\uff12\uff10\uff12\uff14-01-01', '2024-02-01'),
            ('custom', 20240101, '2024-02-01'),
        ):
            with self.assertRaises(UserError):
                Statement._get_period(*bad)

    # ------------------------------------------------------------
    # Routes
    # ------------------------------------------------------------

    def test_statement_page(self):
        """The statement page shows the company's balances, never another customer's."""
        self._login(self.colleague_user)
        frm, to = self._day(45).isoformat(), self.today.isoformat()
        response = self.url_open(f'/my/statement?period=custom&date_from={frm}&date_to={to}')
        self.assertEqual(response.status_code, 200)
        tree = html.fromstring(response.content)
        closings = tree.xpath("//td[contains(@class, 'o_cp_statement_closing_amount')]")
        self.assertEqual(len(closings), 2)
        self.assertIn('2,130.00', closings[0].text_content() + closings[1].text_content())
        self.assertIn(self.cn2.name, response.text)
        self.assertNotIn(self.other_invoice.name, response.text)
        # No parameter widens the scope: the caller's company, always.
        response = self.url_open(
            f'/my/statement?period=this_year&partner_id={self.other_customer.id}'
            f'&company_id=0&partner={self.other_customer.id}'
        )
        self.assertNotIn(self.other_invoice.name, response.text)
        self.assertNotIn('777.00', response.text)
        self.assertIn('Acme Customer Co', response.text)

    def test_statement_bad_input(self):
        """Bad dates or periods show a message and no statement."""
        self._login(self.portal_user)
        for query in (
            'period=custom&date_from=2024-02-30&date_to=2024-03-01',
            'period=custom&date_from=2024-05-01&date_to=2024-01-01',
            'period=custom&date_from=1825-01-01&date_to=2025-01-01',
            'period=custom&date_from=2000-01-01&date_to=2015-01-01',
            'period=custom&date_from=&date_to=',
            'period=custom&date_from=%00&date_to=' + 'x' * 4096,
            'period=forever',
            'period=custom&date_from=2000-01-01&date_to=2015-01-01&report_type=pdf',
        ):
            response = self.url_open('/my/statement?' + query)
            self.assertEqual(response.status_code, 200, query)
            tree = html.fromstring(response.content)
            self.assertTrue(tree.xpath("//div[contains(@class, 'o_cp_statement_error')]"), query[:80])
            self.assertFalse(tree.xpath("//div[contains(@class, 'o_cp_statement_section')]"), query)
        response = self.url_open('/my/statement?period=custom&date_from=2000-01-01&date_to=2015-01-01')
        self.assertIn('at most 10 years', response.text)

    def test_statement_dates_exactly_dates(self):
        """A date with anything after it is refused with the usual message, not read as its first
        ten characters; nothing is computed and nothing of it is echoed back."""
        self._login(self.portal_user)
        for date_from, date_to in (
            ('2025-01-01xyz', '2025-02-01'),
            ("2025-01-01' OR '1'='1", '2025-02-01'),
            ('2025-01-01', '2025-02-01%00'),
            ('2025-01-01', '2025-02-01T10:00'),
            ('2025-01-01 ', '2025-02-01'),
        ):
            for extra in ('', '&report_type=pdf', '&report_type=html'):
                query = f'period=custom&date_from={date_from}&date_to={date_to}{extra}'
                with self.subTest(query=query):
                    response = self.url_open('/my/statement?' + query.replace("'", '%27').replace(' ', '%20'))
                    self.assertEqual(response.status_code, 200)
                    self.assertIn('text/html', response.headers['Content-Type'])
                    tree = html.fromstring(response.content)
                    error = tree.xpath("//div[contains(@class, 'o_cp_statement_error')]")
                    self.assertTrue(error)
                    self.assertIn('Enter the dates as YYYY-MM-DD', error[0].text_content())
                    self.assertFalse(tree.xpath("//div[contains(@class, 'o_cp_statement_section')]"))
                    self.assertFalse(tree.xpath("//*[contains(@class, 'o_cp_statement_period')]"))
                    self.assertNotIn(self.inv1.name, response.text)
                    echoed = tree.xpath("//input[@name='date_from']/@value") + tree.xpath(
                        "//input[@name='date_to']/@value"
                    )
                    self.assertEqual(
                        echoed,
                        [value if value in ('2025-01-01', '2025-02-01') else '' for value in (date_from, date_to)],
                    )

    def test_statement_internal_user_without_rights(self):
        """An employee without rights sees no customer's statement."""
        internal = new_test_user(
            self.env, login='cp_internal_clerk', groups='base.group_user', company_id=self.company.id
        )
        self.authenticate(internal.login, internal.login)
        response = self.url_open('/my/statement?period=this_year')
        self.assertEqual(response.status_code, 200)
        for secret in ('Acme Customer Co', self.inv1.name, '2,130.00', '777.00'):
            self.assertNotIn(secret, response.text)

    def test_statement_anonymous(self):
        """A visitor is sent to the login page, no PDF."""
        response = self.url_open('/my/statement?period=this_year&report_type=pdf&download=1')
        self.assertIn('/web/login', response.url)
        self.assertNotEqual(response.headers.get('Content-Type'), 'application/pdf')

    def test_statement_query_count_independent_of_invoices(self):
        """The statement page makes the same number of queries for 10 and 200 invoices."""
        customer = self.env['res.partner'].create({'name': 'Volume Customer', 'is_company': True})
        contact = self.env['res.partner'].create({'name': 'Vera Volume', 'parent_id': customer.id})
        user = self._new_portal_user('volume_vera', contact)
        self._login(user)

        url = f'/my/statement?period=custom&date_from={self._day(90)}&date_to={self.today}'
        self._create_many_invoices(customer, 10, days=60)
        count_10 = self._count_queries(url)
        self._create_many_invoices(customer, 190, days=60)
        self.assertEqual(self._count_queries(url), count_10)
        with self.assertQueryCount(count_10):
            self.url_open(url)

    def test_statement_tour(self):
        """A customer opens the statement by clicks (tour)."""
        self.start_tour('/my', 'customer_portal_statement_tour', login=self.portal_user.login)

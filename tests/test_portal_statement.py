import subprocess
import tempfile
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from lxml import html

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common_portal_account import PortalAccountCommon


@tagged('post_install', '-at_install')
class TestPortalStatement(PortalAccountCommon, HttpCase):
    """C5: statement of account with running balance and aging, on the page and as a PDF."""

    def _check_statement(self, date_from, date_to):
        statement = self.env['report.customer_portal.report_portal_statement']._get_statement(self.customer, date_from, date_to, company=self.company)
        lines = self._receivable_lines()
        self.assertEqual({s['currency'] for s in statement['sections']},
                         set(lines.filtered(lambda l: l.date <= date_to).currency_id))
        for section in statement['sections']:
            cur = section['currency']
            cur_lines = lines.filtered(lambda l: l.currency_id == cur)
            before = cur_lines.filtered(lambda l: l.date < date_from)
            period = cur_lines.filtered(lambda l: date_from <= l.date <= date_to)
            upto = cur_lines.filtered(lambda l: l.date <= date_to)
            self.assertAlmostEqual(section['opening'], cur.round(sum(before.mapped('amount_currency'))))
            self.assertAlmostEqual(section['closing'], cur.round(sum(upto.mapped('amount_currency'))))
            # One line per journal entry of the period, with its amount and a running balance.
            self.assertEqual([l['move_id'] for l in section['lines']],
                             list(dict.fromkeys(period.sorted(lambda l: (l.date, l.move_id.name, l.move_id.id)).move_id.ids)))
            running = section['opening']
            for line in section['lines']:
                expected = sum(period.filtered(lambda l: l.move_id.id == line['move_id']).mapped('amount_currency'))
                self.assertAlmostEqual(line['amount'], expected)
                self.assertAlmostEqual(line['debit'] - line['credit'], expected)
                running += line['amount']
                self.assertAlmostEqual(line['balance'], cur.round(running))
            # Opening + movements = closing; the aging sums to the balance due.
            self.assertAlmostEqual(cur.round(section['opening'] + section['total_debit'] - section['total_credit']),
                                   section['closing'])
            self.assertAlmostEqual(cur.round(sum(section['aging'].values())), section['closing'])
            self.assertAlmostEqual(section['closing_company'], self.company.currency_id.round(sum(upto.mapped('balance'))))
        return statement

    def test_statement_equals_journal_items(self):
        for days_from, days_to in ((45, 0), (200, 0), (70, 30), (5, 4), (400, 300)):
            self._check_statement(self._day(days_from), self._day(days_to))

    def test_statement_figures_and_aging(self):
        statement = self._check_statement(self._day(45), self.today)
        sections = {s['currency']: s for s in statement['sections']}
        usd = sections[self.company.currency_id]
        # Before the period: inv1 1000, cn1 -100, inv2 500, final3 900, dp3 100 and its payment -100.
        self.assertEqual(usd['opening'], 2300)
        self.assertEqual(usd['closing'], 2280 - 150)
        self.assertEqual(sections[self.eur]['closing'], 300)
        self.assertEqual(statement['company_closing'], 2280)
        self.assertEqual(usd['aging'], {'current': 0, '1_30': 150 - 120, '31_60': 300 + 900, '61_90': 0, '90_plus': 900})
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
        Statement = self.env['report.customer_portal.report_portal_statement']
        today = self.today
        self.assertEqual(Statement._get_period('this_month'), (today.replace(day=1), today + relativedelta(day=31)))
        start, end = Statement._get_period('last_month')
        self.assertEqual((start.day, end + timedelta(days=1)), (1, today.replace(day=1)))
        start, end = Statement._get_period('this_quarter')
        self.assertTrue(start <= today <= end and start.month in (1, 4, 7, 10) and (end - start).days < 93)
        self.assertEqual(Statement._get_period('this_year'), (date(today.year, 1, 1), date(today.year, 12, 31)))
        self.assertEqual(Statement._get_period('custom', '2024-01-01', '2024-03-31'),
                         (date(2024, 1, 1), date(2024, 3, 31)))
        for bad in (('custom', '2024-13-01', '2024-12-01'), ('custom', '2024-05-01', '2024-01-01'),
                    ('custom', '1800-01-01', '2000-01-01'), ('custom', '2000-01-01', '2100-01-01'),
                    ('custom', None, '2024-01-01'), ('custom', 'yesterday', 'today'), ('decade', None, None),
                    ('custom', '2024-01-01xyz', '2024-02-01'), ('custom', '2024-01-01', "2024-02-01' OR '1'='1"),
                    ('custom', '2024-01-01T00:00:00', '2024-02-01'), ('custom', ' 2024-01-01', '2024-02-01'),
                    ('custom', '2024-01-01\n', '2024-02-01'), ('custom', '2024-1-01', '2024-02-01'),
                    ('custom', '\uff12\uff10\uff12\uff14-01-01', '2024-02-01'), ('custom', 20240101, '2024-02-01')):
            with self.assertRaises(UserError):
                Statement._get_period(*bad)

    # ------------------------------------------------------------
    # Routes
    # ------------------------------------------------------------

    def test_statement_page(self):
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
        response = self.url_open(f'/my/statement?period=this_year&partner_id={self.other_customer.id}'
                                 f'&company_id=0&partner={self.other_customer.id}')
        self.assertNotIn(self.other_invoice.name, response.text)
        self.assertNotIn('777.00', response.text)
        self.assertIn('Acme Customer Co', response.text)

    def test_statement_bad_input(self):
        self._login(self.portal_user)
        for query in ('period=custom&date_from=2024-02-30&date_to=2024-03-01',
                      'period=custom&date_from=2024-05-01&date_to=2024-01-01',
                      'period=custom&date_from=1825-01-01&date_to=2025-01-01',
                      'period=custom&date_from=2000-01-01&date_to=2015-01-01',
                      'period=custom&date_from=&date_to=',
                      'period=custom&date_from=%00&date_to=' + 'x' * 4096,
                      'period=forever', 'period=custom&date_from=2000-01-01&date_to=2015-01-01&report_type=pdf'):
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
        for date_from, date_to in (('2025-01-01xyz', '2025-02-01'), ("2025-01-01' OR '1'='1", '2025-02-01'),
                                   ('2025-01-01', '2025-02-01%00'), ('2025-01-01', '2025-02-01T10:00'),
                                   ('2025-01-01 ', '2025-02-01')):
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
                    echoed = tree.xpath("//input[@name='date_from']/@value") + tree.xpath("//input[@name='date_to']/@value")
                    self.assertEqual(echoed, [value if value in ('2025-01-01', '2025-02-01') else ''
                                              for value in (date_from, date_to)])

    def test_statement_aging_as_of_today_within_the_period(self):
        """On the 22nd, "This Month" ages what is open as of the 22nd (not the 30th), and the page
        and the PDF say as of which date; a period that ended ages at its end."""
        customer = self.env['res.partner'].create({'name': 'Aging Customer', 'is_company': True})
        contact = self.env['res.partner'].create({'name': 'Ada Aging', 'parent_id': customer.id})
        user = self._new_portal_user('aging_ada', contact)
        # Due on 28 March: 25 days late on 22 April (1-30), 33 on 30 April (31-60).
        self._invoice('out_invoice', date(2025, 3, 28), [500.0], partner=customer)
        self.env.flush_all()
        with freeze_time('2025-04-22 10:00:00'):
            statement = self.env['report.customer_portal.report_portal_statement']._get_statement(customer, date(2025, 4, 1), date(2025, 4, 30), company=self.company)
            self.assertEqual(statement['aging_date'], date(2025, 4, 22))
            self.assertEqual(statement['sections'][0]['aging'], {'current': 0, '1_30': 500, '31_60': 0, '61_90': 0, '90_plus': 0})
            past = self.env['report.customer_portal.report_portal_statement']._get_statement(customer, date(2025, 3, 1), date(2025, 4, 10), company=self.company)
            self.assertEqual(past['aging_date'], date(2025, 4, 10))
            self.assertEqual(past['sections'][0]['aging']['1_30'], 500)

            self._login(user)
            tree = html.fromstring(self.url_open('/my/statement?period=this_month').content)
            self.assertEqual(tree.xpath("string(//*[contains(@class, 'o_cp_aging_date')])").strip(), '04/22/2025')
            self.assertIn('Aging as of 04/22/2025', ' '.join(tree.xpath("string(//*[contains(@class, 'o_cp_aging_as_of')])").split()))
            self.assertIn('500.00', tree.xpath("string(//td[contains(@class, 'o_cp_aging_1_30')])"))
            self.assertNotIn('500.00', tree.xpath("string(//td[contains(@class, 'o_cp_aging_31_60')])"))
            self.assertIn('500.00', tree.xpath("string(//td[contains(@class, 'o_cp_aging_list_1_30')])"))
            self.assertIn('04/30/2025', tree.xpath("string(//*[contains(@class, 'o_cp_statement_period')])"))
            tree = html.fromstring(self.url_open(
                '/my/statement?period=custom&date_from=2025-03-01&date_to=2025-04-10').content)
            self.assertEqual(tree.xpath("string(//*[contains(@class, 'o_cp_aging_date')])").strip(), '04/10/2025')

            # The printed statement (the route's PDF, which the test server answers as HTML).
            report = self.url_open('/my/statement?period=this_month&report_type=pdf').text
            self.assertIn('Aging as of', report)
            self.assertIn('04/22/2025', report)

        # The real PDF, its text as a reader gets it.
        with freeze_time('2025-04-22 10:00:00', tick=True):
            pdf_content, _type = self.env['ir.actions.report'].with_context(force_report_rendering=True)._render_qweb_pdf(
                'customer_portal.action_report_portal_statement', customer.ids,
                data={'date_from': '2025-04-01', 'date_to': '2025-04-30', 'company_id': self.company.id},
            )
        with tempfile.NamedTemporaryFile(suffix='.pdf') as pdf:
            pdf.write(pdf_content)
            pdf.flush()
            text = subprocess.run(['pdftotext', '-layout', pdf.name, '-'], capture_output=True, check=True).stdout.decode()
        self.assertIn('Aging as of 04/22/2025', ' '.join(text.split()))
        self.assertIn('04/30/2025', text)

    def test_statement_internal_user_without_rights(self):
        internal = new_test_user(self.env, login='cp_internal_clerk', groups='base.group_user', company_id=self.company.id)
        self.authenticate(internal.login, internal.login)
        response = self.url_open('/my/statement?period=this_year')
        self.assertEqual(response.status_code, 200)
        for secret in ('Acme Customer Co', self.inv1.name, '2,130.00', '777.00'):
            self.assertNotIn(secret, response.text)

    def test_statement_report_from_back_office(self):
        """Printed from the partner form (no period given): this year, in the current company."""
        content = self.env['ir.actions.report']._render_qweb_html(
            'customer_portal.action_report_portal_statement', self.contact_a.ids)[0].decode()
        self.assertIn('Statement of Account', content)
        self.assertIn('Acme Customer Co', content)
        self.assertIn('2,130.00', content)

    def test_statement_anonymous(self):
        response = self.url_open('/my/statement?period=this_year&report_type=pdf&download=1')
        self.assertIn('/web/login', response.url)
        self.assertNotEqual(response.headers.get('Content-Type'), 'application/pdf')

    def test_statement_pdf(self):
        self._login(self.portal_user)
        frm, to = self._day(45).isoformat(), self.today.isoformat()
        response = self.url_open(f'/my/statement?period=custom&date_from={frm}&date_to={to}&report_type=pdf&download=1')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers['Content-Type'], 'application/pdf')
        self.assertIn('attachment', response.headers['Content-Disposition'])
        # Under test, Odoo's report engine answers HTML instead of calling wkhtmltopdf (which would
        # fetch its assets from this single-request test server): the content is the same report.
        self.assertIn(b'2,130.00', response.content)
        self.assertNotIn(b'777.00', response.content)
        # Print: the same report, inline.
        response = self.url_open('/my/statement?period=this_year&report_type=pdf')
        self.assertEqual(response.status_code, 200)
        self.assertIn('inline', response.headers['Content-Disposition'])

        # The real PDF, produced by wkhtmltopdf with the data the route passes.
        pdf_content, content_type = self.env['ir.actions.report'].with_context(force_report_rendering=True)._render_qweb_pdf(
            'customer_portal.action_report_portal_statement', self.customer.ids,
            data={'date_from': frm, 'date_to': to, 'company_id': self.company.id},
        )
        self.assertEqual(content_type, 'pdf')
        self.assertTrue(pdf_content.startswith(b'%PDF'))
        with tempfile.NamedTemporaryFile(suffix='.pdf') as pdf:
            pdf.write(pdf_content)
            pdf.flush()
            text = subprocess.run(['pdftotext', '-layout', pdf.name, '-'], capture_output=True, check=True).stdout.decode()
        self.assertIn('Statement of Account', text)
        self.assertIn('Acme Customer Co', text)
        self.assertIn('2,130.00', text)  # USD balance due
        self.assertIn('300.00', text)  # EUR balance due
        self.assertIn('2,280.00', text)  # balance due in the company currency, as in the partner ledger
        self.assertIn(self.cn2.name, text)
        self.assertNotIn('777.00', text)

    def test_statement_query_count_independent_of_invoices(self):
        customer = self.env['res.partner'].create({'name': 'Volume Customer', 'is_company': True})
        contact = self.env['res.partner'].create({'name': 'Vera Volume', 'parent_id': customer.id})
        user = self._new_portal_user('volume_vera', contact)
        self._login(user)

        def create(count):
            moves = self.env['account.move'].create([{
                'move_type': 'out_invoice', 'partner_id': customer.id, 'invoice_date': self._day(i % 60),
                'invoice_payment_term_id': self.pay_terms_a.id,
                'invoice_line_ids': [(0, 0, {'name': 'Item', 'price_unit': 10.0 + i, 'tax_ids': []})],
            } for i in range(count)])
            moves.action_post()
            self.env.flush_all()

        def count_queries(url):
            self.url_open(url)
            self.url_open(url)
            start = self.cr.sql_log_count
            self.assertEqual(self.url_open(url).status_code, 200)
            return self.cr.sql_log_count - start

        url = f'/my/statement?period=custom&date_from={self._day(90)}&date_to={self.today}'
        create(10)
        count_10 = count_queries(url)
        create(190)
        self.assertEqual(count_queries(url), count_10)
        with self.assertQueryCount(count_10):
            self.url_open(url)

    def test_statement_tour(self):
        self.start_tour('/my', 'customer_portal_statement_tour', login=self.portal_user.login)

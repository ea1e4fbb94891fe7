from datetime import date

from freezegun import freeze_time
from lxml import html

from odoo.tests import tagged

from .common_portal_account import PortalAccountCommon


@tagged('post_install', '-at_install')
class TestPortalStatementPdf(PortalAccountCommon):
    """C5: the printed statement (the route's report, the real PDF) and its aging date."""

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
            statement = self.env['report.customer_portal.report_portal_statement']._get_statement(
                customer, date(2025, 4, 1), date(2025, 4, 30), company=self.company
            )
            self.assertEqual(statement['aging_date'], date(2025, 4, 22))
            self.assertEqual(
                statement['sections'][0]['aging'], {'current': 0, '1_30': 500, '31_60': 0, '61_90': 0, '90_plus': 0}
            )
            past = self.env['report.customer_portal.report_portal_statement']._get_statement(
                customer, date(2025, 3, 1), date(2025, 4, 10), company=self.company
            )
            self.assertEqual(past['aging_date'], date(2025, 4, 10))
            self.assertEqual(past['sections'][0]['aging']['1_30'], 500)

            self._login(user)
            tree = html.fromstring(self.url_open('/my/statement?period=this_month').content)
            self.assertEqual(tree.xpath("string(//*[contains(@class, 'o_cp_aging_date')])").strip(), '04/22/2025')
            self.assertIn(
                'Aging as of 04/22/2025',
                ' '.join(tree.xpath("string(//*[contains(@class, 'o_cp_aging_as_of')])").split()),
            )
            self.assertIn('500.00', tree.xpath("string(//td[contains(@class, 'o_cp_aging_1_30')])"))
            self.assertNotIn('500.00', tree.xpath("string(//td[contains(@class, 'o_cp_aging_31_60')])"))
            self.assertIn('500.00', tree.xpath("string(//td[contains(@class, 'o_cp_aging_list_1_30')])"))
            self.assertIn('04/30/2025', tree.xpath("string(//*[contains(@class, 'o_cp_statement_period')])"))
            tree = html.fromstring(
                self.url_open('/my/statement?period=custom&date_from=2025-03-01&date_to=2025-04-10').content
            )
            self.assertEqual(tree.xpath("string(//*[contains(@class, 'o_cp_aging_date')])").strip(), '04/10/2025')

            # The printed statement (the route's PDF, which the test server answers as HTML).
            report = self.url_open('/my/statement?period=this_month&report_type=pdf').text
            self.assertIn('Aging as of', report)
            self.assertIn('04/22/2025', report)

        # The real PDF, its text as a reader gets it.
        with freeze_time('2025-04-22 10:00:00', tick=True):
            text = self._statement_pdf_text(customer, '2025-04-01', '2025-04-30')
        self.assertIn('Aging as of 04/22/2025', ' '.join(text.split()))
        self.assertIn('04/30/2025', text)

    def test_statement_report_from_back_office(self):
        """Printed from the partner form (no period given): this year, in the current company."""
        content = (
            self.env['ir.actions.report']
            ._render_qweb_html('customer_portal.action_report_portal_statement', self.contact_a.ids)[0]
            .decode()
        )
        self.assertIn('Statement of Account', content)
        self.assertIn('Acme Customer Co', content)
        self.assertIn('2,130.00', content)

    def test_statement_pdf(self):
        """The statement as a PDF, downloaded or printed, with the page's figures."""
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
        text = self._statement_pdf_text(self.customer, frm, to)
        self.assertIn('Statement of Account', text)
        self.assertIn('Acme Customer Co', text)
        self.assertIn('2,130.00', text)  # USD balance due
        self.assertIn('300.00', text)  # EUR balance due
        self.assertIn('2,280.00', text)  # balance due in the company currency, as in the partner ledger
        self.assertIn(self.cn2.name, text)
        # Every column, those the page hides on a phone included.
        for header in ('Transaction', 'Amount', 'Payments / Credits', 'Balance'):
            self.assertIn(header, ' '.join(text.split()))
        self.assertNotIn('777.00', text)

from datetime import date
from unittest.mock import patch

from lxml import html

from odoo.tests import HttpCase, TransactionCase, tagged

from ..tools.formatting import amount_formatter, date_formatter
from .common_portal_account import PortalAccountCommon


@tagged('post_install', '-at_install')
class TestStatementFormatting(TransactionCase):
    """The statement's amounts and dates, formatted once in Python, read exactly as the QWeb widgets wrote them."""

    def _widget_amount(self, env, value, currency):
        return env['ir.qweb.field.monetary'].value_to_html(value, {'display_currency': currency})

    def test_amounts_and_dates_as_the_widgets(self):
        """Same text as the monetary and date widgets, in English and French, symbol before and after."""
        self.env['res.lang']._activate_lang('fr_FR')
        usd, eur = self.env.ref('base.USD'), self.env.ref('base.EUR')
        usd.active = eur.active = True
        for lang in ('en_US', 'fr_FR'):
            env = self.env(context=dict(self.env.context, lang=lang))
            for currency in (usd, eur):
                format_amount = amount_formatter(env, currency)
                for value in (0.0, -0.0, 0.005, 2.675, 12.5, -0.5, -1234.5, 1234567.891, -98765432.1, 1999.99):
                    self.assertEqual(format_amount(value), self._widget_amount(env, value, currency), (lang, value))
            format_day = date_formatter(env)
            widget = env['ir.qweb.field.date']
            for day in (date(2025, 4, 22), date(1999, 12, 31), date(2025, 4, 22)):
                self.assertEqual(format_day(day), widget.value_to_html(day, {}), (lang, day))
            self.assertEqual(format_day(False), '')


@tagged('post_install', '-at_install')
class TestStatementPageLimit(PortalAccountCommon, HttpCase):
    """A period of more lines than the statement page lists: balances and aging, a message, the PDF lists all."""

    def test_long_period_lists_no_line_and_says_why(self):
        """Over the page's limit, the page keeps the balance due and the aging, and says how to see the lines."""
        self._login(self.portal_user)
        frm, to = self._day(45).isoformat(), self.today.isoformat()
        url = f'/my/statement?period=custom&date_from={frm}&date_to={to}'
        tree = html.fromstring(self.url_open(url).content)
        line_count = len(tree.xpath("//tr[contains(@class, 'o_cp_statement_line')]"))
        self.assertGreater(line_count, 2)
        self.assertFalse(tree.xpath("//*[contains(@class, 'o_cp_statement_too_long')]"))
        with patch('odoo.addons.customer_portal.controllers.statement.PORTAL_STATEMENT_PAGE_MAX_LINES', 2):
            response = self.url_open(url)
        tree = html.fromstring(response.content)
        self.assertFalse(tree.xpath("//tr[contains(@class, 'o_cp_statement_line')]"))
        message = ' '.join(tree.xpath("string(//*[contains(@class, 'o_cp_statement_too_long')])").split())
        self.assertIn(f'This period has {line_count} transactions', message)
        self.assertIn('choose a shorter period', message)
        self.assertIn(
            '2,130.00', ' '.join(tree.xpath("//td[contains(@class, 'o_cp_statement_closing_amount')]//text()"))
        )
        self.assertTrue(tree.xpath("//td[contains(@class, 'o_cp_aging_1_30')]"))
        self.assertTrue(tree.xpath("//a[contains(@class, 'o_cp_statement_pdf')]"))
        # The PDF (answered as HTML under test) lists every line.
        report = self.url_open(url + '&report_type=pdf').text
        self.assertIn(self.cn2.name, report)

from lxml import html

from odoo.tests import tagged

from .common_payment import PortalPaymentHttpCommon


@tagged('post_install', '-at_install')
class TestPortalPaymentsMade(PortalPaymentHttpCommon):
    """Payments Made (issue 8, item 7): what each payment applied to each invoice, its state in
    the customer's words, its method as the customer knows it, links and clean references."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A payment of 100 applied 60 to the first invoice and 40 to the second (total 300).
        cls.invoice_60, cls.invoice_300 = cls._create_invoices(cls.contact_1, [60.0, 300.0])
        cls.payment = cls.env['account.payment'].create(
            {
                'payment_type': 'inbound',
                'partner_type': 'customer',
                'partner_id': cls.customer.id,
                'amount': 100.0,
                'journal_id': cls.bank_journal.id,
                'memo': 'WIRE-778 - Gemini Furniture - ',
            }
        )
        cls.payment.action_post()
        payment_line = cls.payment.move_id.line_ids.filtered(
            lambda aml: aml.account_id.account_type == 'asset_receivable'
        )
        for invoice in (cls.invoice_60, cls.invoice_300):
            (
                payment_line + invoice.line_ids.filtered(lambda aml: aml.account_id.account_type == 'asset_receivable')
            ).reconcile()

    def _money(self, amount):
        number = f'{amount:,.2f}'
        return (
            f'{self.currency.symbol} {number}'
            if self.currency.position == 'before'
            else f'{number} {self.currency.symbol}'
        )

    def _tree(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return html.fromstring(response.content)

    @staticmethod
    def _texts(tree, xpath):
        return [' '.join(node.text_content().split()) for node in tree.xpath(xpath)]

    def test_detail_shows_amount_applied_to_each_invoice(self):
        """A payment's page shows the amount applied to each invoice, its method, state and reference."""
        self.assertEqual(self.invoice_300.amount_residual, 260.0)
        self.authenticate('cp_pay_bob', 'cp_pay_bob')
        tree = self._tree(f'/my/payments/{self.payment.id}')
        rows = tree.xpath("//table[contains(@class, 'o_cp_payment_invoices')]/tbody/tr")
        applied = {
            ' '.join(row.xpath('./td[1]/a')[0].text_content().split()): ' '.join(
                row.xpath('./td[last()]')[0].text_content().split()
            )
            for row in rows
        }
        self.assertEqual(applied, {self.invoice_60.name: self._money(60), self.invoice_300.name: self._money(40)})
        self.assertNotIn(
            '300.00',
            ' '.join(self._texts(tree, "//table[contains(@class, 'o_cp_payment_invoices')]")),
            "the amount applied, not the invoice total",
        )
        # Each invoice number leads to the invoice's portal page.
        links = tree.xpath("//table[contains(@class, 'o_cp_payment_invoices')]//a/@href")
        self.assertEqual(set(links), {self.invoice_60.access_url, self.invoice_300.access_url})
        self.assertEqual(self.url_open(self.invoice_300.access_url).status_code, 200)
        # The method as the customer knows it, the state in their words, no dangling separator.
        self.assertEqual(self._texts(tree, "//dd[contains(@class, 'o_cp_payment_method')]"), ['Bank transfer'])
        expected_state = 'Paid' if self.payment.state == 'paid' else 'Processing'
        self.assertEqual(self._texts(tree, "//dd[contains(@class, 'o_cp_payment_state')]"), [expected_state])
        self.assertEqual(
            self._texts(tree, "//dd[contains(@class, 'o_cp_payment_reference')]"), ['WIRE-778 - Gemini Furniture']
        )
        self.assertNotIn('Manual Payment', tree.text_content())
        # The breadcrumbs name the payment and nothing else (no invoice number leaking in).
        breadcrumbs = ' '.join(self._texts(tree, "//ol[contains(@class, 'o_portal_submenu')]"))
        self.assertIn(self.payment.name, breadcrumbs)
        self.assertNotIn(self.invoice_60.name, breadcrumbs)
        self.assertNotIn(self.invoice_300.name, breadcrumbs)

    def test_list_shows_applied_amounts_state_and_method(self):
        """The list shows each payment's allocations, state, method and reference."""
        self.payment.action_validate()  # the bank confirmed it
        self.assertEqual(self.payment.state, 'paid')
        other = self.env['account.payment'].create(
            {
                'payment_type': 'inbound',
                'partner_type': 'customer',
                'partner_id': self.contact_2.id,
                'amount': 25.0,
                'journal_id': self.bank_journal.id,
                'memo': 'Advance',
            }
        )
        other.action_post()
        self.assertEqual(other.state, 'in_process')
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        tree = self._tree('/my/payments')
        rows = {
            row.xpath('./td[1]/a')[0].text_content().strip(): row
            for row in tree.xpath("//tr[contains(@class, 'o_cp_payment_row')]")
        }
        row = rows[self.payment.name]
        allocations = ' '.join(
            row.xpath(".//td[contains(@class, 'o_cp_payment_allocations')]")[0].text_content().split()
        )
        self.assertIn(f'{self.invoice_60.name} ({self._money(60)})', allocations)
        self.assertIn(f'{self.invoice_300.name} ({self._money(40)})', allocations)
        self.assertEqual(
            set(row.xpath(".//td[contains(@class, 'o_cp_payment_allocations')]//a/@href")),
            {self.invoice_60.access_url, self.invoice_300.access_url},
        )
        self.assertEqual(row.xpath(".//td[contains(@class, 'o_cp_payment_state')]")[0].text_content().strip(), 'Paid')
        self.assertEqual(
            row.xpath(".//td[contains(@class, 'o_cp_payment_method')]")[0].text_content().strip(), 'Bank transfer'
        )
        self.assertEqual(
            row.xpath(".//td[contains(@class, 'o_cp_payment_reference')]")[0].text_content().strip(),
            'WIRE-778 - Gemini Furniture',
        )
        other_row = rows[other.name]
        self.assertEqual(
            other_row.xpath(".//td[contains(@class, 'o_cp_payment_state')]")[0].text_content().strip(), 'Processing'
        )
        self.assertFalse(other_row.xpath(".//td[contains(@class, 'o_cp_payment_allocations')]//a"))
        self.assertNotIn(self.payment.name, ' '.join(self._texts(tree, "//ol[contains(@class, 'o_portal_submenu')]")))

    def test_online_payment_method_and_reference(self):
        """An online payment shows its provider's method and its transaction reference."""
        invoice = self._create_invoice(self.contact_1, 75.0)
        tx = self._create_tx(invoice, state='done')
        tx._post_process()
        payment = tx.payment_id
        self.assertTrue(payment)
        self.assertTrue(payment.memo.endswith(' - '), "stock leaves an empty provider reference in the memo")
        self.authenticate('cp_pay_anna', 'cp_pay_anna')
        tree = self._tree(f'/my/payments/{payment.id}')
        self.assertEqual(self._texts(tree, "//dd[contains(@class, 'o_cp_payment_reference')]"), [tx.reference])
        self.assertEqual(
            self._texts(tree, "//dd[contains(@class, 'o_cp_payment_method')]"), [payment._get_portal_method_name()]
        )
        self.assertIn(self.payment_method.name, payment._get_portal_method_name())
        applied = self._texts(tree, "//td[contains(@class, 'o_cp_payment_applied_amount')]")
        self.assertEqual(applied, [self._money(75)])
        # The same reference, without dangling separator, on the home's Last Payment Made.
        home = self._home_page()[1]
        self.assertEqual(self._texts(home, "//*[contains(@class, 'o_cp_last_payment_reference')]"), [tx.reference])
        # And in the statement.
        statement = self._tree('/my/statement?period=this_year')
        [line] = [
            text
            for text in self._texts(statement, "//tr[contains(concat(' ', @class, ' '), ' o_cp_statement_line ')]")
            if payment.name in text
        ]
        self.assertIn(f'({tx.reference} - {tx.partner_id.display_name})', line)

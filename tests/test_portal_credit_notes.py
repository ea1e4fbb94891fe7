from lxml import html

from odoo.tests import new_test_user, tagged

from .common_portal_account import PortalAccountCommon


@tagged('post_install', '-at_install')
class TestPortalCreditNotes(PortalAccountCommon):
    """P13 / C6: credit notes, where they were applied and their refunds; refused when off."""

    def test_credit_notes_list(self):
        """The credit notes list shows the company's credit notes."""
        self._login(self.colleague_user)
        response = self.url_open('/my/credit_notes')
        self.assertEqual(response.status_code, 200)
        tree = html.fromstring(response.content)
        names = set(tree.xpath("//tr[contains(@class, 'o_cp_credit_note_row')]/td[1]/a/text()"))
        self.assertEqual(names, {self.cn1.name, self.cn2.name, self.cn3.name})
        self.assertEqual(self.url_open('/my/credit_notes?sortby=bogus').status_code, 200)

    def test_credit_note_detail_applied_and_refunded(self):
        """A credit note shows the invoices it was applied to, its refunds and what remains."""
        self._login(self.portal_user)
        response = self.url_open(f'/my/credit_notes/{self.cn1.id}')
        self.assertEqual(response.status_code, 200)
        tree = html.fromstring(response.content)
        applied = ' '.join(
            n.text_content() for n in tree.xpath("//table[contains(@class, 'o_cp_credit_note_applied')]")
        )
        self.assertIn(self.inv1.name, applied)
        self.assertIn('100.00', applied)
        self.assertFalse(tree.xpath("//table[contains(@class, 'o_cp_credit_note_refunds')]"))

        tree = html.fromstring(self.url_open(f'/my/credit_notes/{self.cn3.id}').content)
        refunds = ' '.join(
            n.text_content() for n in tree.xpath("//table[contains(@class, 'o_cp_credit_note_refunds')]")
        )
        self.assertIn(self.refund.move_id.name, refunds)
        self.assertIn('80.00', refunds)

        tree = html.fromstring(self.url_open(f'/my/credit_notes/{self.cn2.id}').content)
        self.assertIn('50.00', tree.xpath("//*[contains(@class, 'o_cp_credit_remaining')]")[0].text_content())

    def _reversal(self, invoice, amount):
        """A credit note made from an invoice, as the back office does (Reverse), applied to it."""
        credit_note = invoice._reverse_moves([{'invoice_date': self.today, 'date': self.today}])
        credit_note.invoice_line_ids[0].write({'quantity': 2.5, 'price_unit': amount / 2.5})
        credit_note.action_post()
        if not credit_note.currency_id.is_zero(credit_note.amount_residual):
            self._reconcile(invoice + credit_note)
        self.assertTrue(credit_note.currency_id.is_zero(credit_note.amount_residual))
        return credit_note

    def test_credit_notes_reference_links_quantities_and_print(self):
        """Issue 8, item 8: the Reference column is filled, the applied invoices are links,
        quantities are written as on the invoice and the credit note can be printed."""
        credit_note = self._reversal(self.inv2, 50.0)
        self.assertFalse(credit_note.ref)
        self.cn2.ref = 'RMA-2207'
        self._login(self.colleague_user)
        tree = html.fromstring(self.url_open('/my/credit_notes').content)
        references = {
            row.xpath('./td[1]/a')[0].text_content().strip(): row.xpath(
                ".//td[contains(@class, 'o_cp_credit_note_reference')]"
            )[0]
            .text_content()
            .strip()
            for row in tree.xpath("//tr[contains(@class, 'o_cp_credit_note_row')]")
        }
        self.assertEqual(references[credit_note.name], self.inv2.name, "the invoice it credits")
        self.assertEqual(references[self.cn2.name], 'RMA-2207', "the reference written on it")

        response = self.url_open(f'/my/credit_notes/{credit_note.id}')
        self.assertEqual(response.status_code, 200)
        tree = html.fromstring(response.content)
        applied_links = tree.xpath("//table[contains(@class, 'o_cp_credit_note_applied')]//a")
        self.assertEqual(
            [(a.text_content().strip(), a.get('href')) for a in applied_links], [(self.inv2.name, self.inv2.access_url)]
        )
        self.assertEqual(self.url_open(self.inv2.access_url).status_code, 200)
        self.assertEqual(tree.xpath("//a[contains(@class, 'o_cp_credit_note_origin')]/@href"), [self.inv2.access_url])
        quantity = ' '.join(tree.xpath("//td[contains(@class, 'o_cp_credit_note_quantity')]")[0].text_content().split())
        self.assertEqual(quantity.split()[0], '2.50', "as the invoice report writes it, not the float 2.5")
        [download] = tree.xpath("//a[contains(@class, 'o_cp_credit_note_download')]/@href")
        [print_link] = tree.xpath("//a[contains(@class, 'o_cp_credit_note_print')]")
        self.assertIn('Print', print_link.text_content())
        self.assertEqual(print_link.get('target'), '_blank')
        self.assertIn('report_type=pdf', print_link.get('href'))
        self.assertNotIn('download=true', print_link.get('href'))
        self.assertIn('download=true', download)
        printed = self.url_open(print_link.get('href'))
        self.assertEqual(printed.status_code, 200)
        self.assertIn('inline', printed.headers.get('Content-Disposition', ''))

    def test_statement_credit_note_has_no_due_date(self):
        """A credit note is owed to the customer: no "Due" date under it in the statement."""
        self._login(self.portal_user)
        frm, to = self._day(120).isoformat(), self.today.isoformat()
        response = self.url_open(f'/my/statement?period=custom&date_from={frm}&date_to={to}')
        self.assertEqual(response.status_code, 200)
        tree = html.fromstring(response.content)
        lines = tree.xpath("//tr[contains(concat(' ', @class, ' '), ' o_cp_statement_line ')]")

        def has_due_date(move):
            # The lines naming the move: its own and, for a refund, the payment's memo.
            moves_lines = [line for line in lines if move.name in line.text_content()]
            self.assertTrue(moves_lines, move.name)
            due = any(
                small.text_content().split()[:1] == ['Due'] for line in moves_lines for small in line.xpath('.//small')
            )
            return due, [' '.join(line.text_content().split()) for line in moves_lines]

        for credit_note in self.cn1 + self.cn2 + self.cn3:
            due, texts = has_due_date(credit_note)
            self.assertFalse(due, texts)
        for invoice in self.inv1 + self.inv2:
            due, texts = has_due_date(invoice)
            self.assertTrue(due, texts)

    def test_credit_note_detail_refused(self):
        """A credit note is refused to visitors, other customers and employees without rights."""
        internal = new_test_user(
            self.env, login='cp_internal_nobody', groups='base.group_user', company_id=self.company.id
        )
        cases = [
            (None, self.cn1.id, ''),  # anonymous without token
            (self.other_user, self.cn1.id, ''),  # another company's portal user
            (internal, self.cn1.id, ''),  # internal user without accounting rights
            (None, self.cn1.id, self.cn2._portal_ensure_token()),  # another document's token
            (None, self.cn1.id, self.cn1._portal_ensure_token()[:-1] + 'x'),  # one character changed
            (None, self.cn1.id, 'a' * 4096),
            (None, self.cn1.id, '[]'),
            (self.portal_user, self.inv1.id, ''),  # an invoice is not a credit note
            (self.portal_user, 999999, ''),
        ]
        for user, move_id, token in cases:
            if user:
                self._login(user)
            else:
                self.authenticate(None, None)
            response = self.url_open(f'/my/credit_notes/{move_id}?access_token={token}')
            self.assertEqual(response.status_code, 404, (user and user.login, move_id, token[:10]))
            self.assertNotIn(self.inv1.name, response.text)
            self.assertNotIn('Applied to invoices', response.text)
        # The right token opens it without a session.
        self.authenticate(None, None)
        response = self.url_open(f'/my/credit_notes/{self.cn1.id}?access_token={self.cn1._portal_ensure_token()}')
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.inv1.name, response.text)

    def test_credit_notes_setting_off_refuses_routes(self):
        """With the setting off, the credit note routes answer 404."""
        self.company.portal_display_credit_notes = False
        self._login(self.portal_user)
        for url in ('/my/credit_notes', '/my/credit_notes/page/2', f'/my/credit_notes/{self.cn1.id}'):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 404, url)
            self.assertNotIn(self.cn1.name, response.text)
        self.authenticate(None, None)
        response = self.url_open(f'/my/credit_notes/{self.cn1.id}?access_token={self.cn1._portal_ensure_token()}')
        self.assertEqual(response.status_code, 404)
        # Stock behaviour: the credit note is still reachable as a document of /my/invoices.
        self._login(self.portal_user)
        self.assertEqual(self.url_open(f'/my/invoices/{self.cn1.id}').status_code, 200)

from odoo.tests import tagged

from .common_portal_account import PortalAccountCommon


@tagged('post_install', '-at_install')
class TestPortalInvoiceLists(PortalAccountCommon):
    """C2 invoice tabs and filters, the Credit Notes card and list setting, C7 retainer invoices."""

    def test_invoice_tabs_and_filters(self):
        """The invoice tabs and filters list the right invoices, with their status badges."""
        self._login(self.colleague_user)
        all_names = self._invoice_names('/my/invoices?filterby=all')
        self.assertTrue({self.inv1.name, self.inv2.name, self.inv3.name, self.inv4.name} <= all_names)
        self.assertNotIn(self.other_invoice.name, all_names)
        self.assertNotIn(self.cn2.name, all_names, "credit notes have their own list when displayed")
        outstanding = self._invoice_names('/my/invoices?filterby=outstanding')
        self.assertEqual(outstanding, {m.name for m in self.inv1 + self.inv2 + self.inv4 + self.dp2 + self.final3})
        self.assertEqual(self._invoice_names('/my/invoices?filterby=overdue'), outstanding)
        self.assertEqual(
            self._invoice_names('/my/invoices?filterby=paid'), {m.name for m in self.inv3 + self.dp1 + self.dp3}
        )
        self.assertEqual(
            self._invoice_names('/my/invoices?filterby=partial'), {m.name for m in self.inv1 + self.inv2 + self.inv4}
        )
        self.assertEqual(self._invoice_names('/my/invoices?filterby=unpaid'), outstanding)
        _response, tree = self._page('/my/invoices?filterby=all&sortby=amount')
        self.assertTrue(tree.xpath("//span[contains(@class, 'o_cp_badge_partial')]"))
        self.assertTrue(tree.xpath("//span[contains(@class, 'o_cp_badge_overdue')]"))
        self.assertTrue(tree.xpath("//span[contains(@class, 'o_cp_badge_retainer')]"))
        self.assertTrue(tree.xpath("//ul[contains(@class, 'o_cp_invoice_tabs')]"))
        for sortby in ('date', 'duedate', 'name', 'amount', 'nope', ''):
            self.assertEqual(self.url_open(f'/my/invoices?sortby={sortby}&filterby=bogus').status_code, 200)

    def test_status_badges(self):
        """Every list and page says a document's status in the same words (C2, C6): the state, then
        partly paid and overdue; a credit note is closed, partly applied or open; on stock's list
        only what its own badge does not say."""

        def labels(move, **kwargs):
            return [label for label, _classes in move._get_portal_status_badges(**kwargs)]

        self.assertEqual(labels(self.inv2), ["Waiting for Payment", "Partially Paid", "Overdue"])
        self.assertEqual(labels(self.inv2, stock_state=True), ["Partially Paid", "Overdue"])
        self.assertEqual(labels(self.inv3), ["Paid"])
        self.assertEqual(labels(self.dp1, retainer=True), ["Paid", "Retainer"])
        self.assertEqual(labels(self.cn1), ["Closed"])
        self.assertEqual(labels(self.cn2), ["Open"])
        self.assertEqual(labels(self.cn2, stock_state=True), ["Credit Note"])
        cancelled = self._invoice('out_invoice', self.today, [10.0])
        cancelled.button_draft()
        cancelled.button_cancel()
        self.assertEqual(labels(cancelled), ["Cancelled"])

    def test_credit_notes_card_gone_after_setting_off(self):
        """Stock remembers in the session that a counter was non-zero and then shows its card
        without asking again: after the setting is switched off, the Credit Notes card must not
        show in a session that saw it (it would lead to a 404), nor in a new one."""

        def credit_note_cards(tree):
            return tree.xpath("//div[contains(@class, 'o_portal_index_card')][.//a[@href='/my/credit_notes']]")

        self._login(self.portal_user)
        self.assertEqual(
            self.make_jsonrpc_request('/my/counters', {'counters': ['credit_note_count']}), {'credit_note_count': 1}
        )
        _response, tree = self._home_page()
        cards = credit_note_cards(tree)
        self.assertEqual(len(cards), 1)
        self.assertNotIn('d-none', cards[0].get('class').split(), "shown from the session's counters")

        self.company.portal_display_credit_notes = False
        response, tree = self._home_page()
        self.assertFalse(credit_note_cards(tree))
        self.assertNotIn('/my/credit_notes', response.text)
        self.assertEqual(
            self.make_jsonrpc_request('/my/counters', {'counters': ['credit_note_count']}), {'credit_note_count': 0}
        )
        self.assertNotIn('/my/credit_notes', self._home_html())
        self.assertEqual(self.url_open('/my/credit_notes').status_code, 404)
        self._login(self.colleague_user)
        self.assertNotIn('/my/credit_notes', self._home_html())
        # Switched on again, the card is back.
        self.company.portal_display_credit_notes = True
        self.assertEqual(len(credit_note_cards(self._home_page()[1])), 1)

    def test_credit_notes_back_in_invoice_list_when_off(self):
        """With the setting off, credit notes are back in the invoice list."""
        self.company.portal_display_credit_notes = False
        self._login(self.portal_user)
        self.assertIn(self.cn2.name, self._invoice_names('/my/invoices?filterby=all'))

    def test_retainer_invoices(self):
        """The retainer invoices list, its tabs and filters."""
        self._login(self.portal_user)
        _response, tree = self._page('/my/retainer_invoices')
        names = set(tree.xpath("//tr[contains(@class, 'o_cp_retainer_row')]/td[1]/a/text()"))
        self.assertEqual(names, {m.name for m in self.dp1 + self.dp2 + self.dp3})
        _response, tree = self._page('/my/retainer_invoices?tab=outstanding')
        names = set(tree.xpath("//tr[contains(@class, 'o_cp_retainer_row')]/td[1]/a/text()"))
        self.assertEqual(names, {self.dp2.name})
        _response, tree = self._page('/my/retainer_invoices?tab=all&filterby=paid')
        names = set(tree.xpath("//tr[contains(@class, 'o_cp_retainer_row')]/td[1]/a/text()"))
        self.assertEqual(names, {self.dp1.name, self.dp3.name})
        for query in ('tab=x', 'filterby=x', 'sortby=x', 'tab=all&filterby=paid&sortby=amount'):
            self.assertEqual(self.url_open('/my/retainer_invoices?' + query).status_code, 200)

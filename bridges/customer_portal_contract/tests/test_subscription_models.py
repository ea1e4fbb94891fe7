# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields
from odoo.tests import tagged

from .common import SubscriptionCase


@tagged('post_install', '-at_install')
class TestSubscriptionModels(SubscriptionCase):
    """The setting, the state and the recurrence the customer reads, the invoices of each contract."""

    def test_setting_off_by_default(self):
        """A new company does not show subscriptions; Settings switch them on for the company."""
        company = self.env['res.company'].create({'name': "New Co"})
        self.assertFalse(company.portal_view_subscriptions)
        settings = self.env['res.config.settings'].with_company(company).create({'portal_view_subscriptions': True})
        settings.execute()
        self.assertTrue(company.portal_view_subscriptions)

    def test_portal_state(self):
        """Active while invoiced; Upcoming before its start; Ended after its end date; Cancelled when every line is."""
        today = fields.Date.today()
        contract = self._new_contract(self.customer, "Acme Hosting", invoices=1)
        self.assertEqual(contract.portal_state, 'active')
        contract.date_end = fields.Date.subtract(today, days=1)
        self.assertEqual(contract.portal_state, 'ended')
        contract.date_end = False
        contract.contract_line_ids.is_canceled = True
        self.assertEqual(contract.portal_state, 'cancelled')
        later = fields.Date.add(today, days=10)
        upcoming = self._new_contract(self.customer, "Acme Later", invoices=0)
        upcoming.contract_line_ids.write({'date_start': later, 'recurring_next_date': later})
        self.assertEqual(upcoming.portal_state, 'upcoming')

    def test_recurrence_text(self):
        """How often a line is invoiced, in words, singular and plural."""
        line = self._new_contract(self.customer, "Acme Hosting", invoices=0).contract_line_ids
        for rule, interval, text in (
            ('monthly', 1, "Every month"),
            ('monthly', 3, "Every 3 months"),
            ('yearly', 1, "Every year"),
            ('weekly', 2, "Every 2 weeks"),
            ('monthlylastday', 1, "Every month, on its last day"),
        ):
            line.write({'recurring_rule_type': rule, 'recurring_interval': interval})
            self.assertEqual(line._get_portal_recurrence(), text)

    def test_invoices_by_contract(self):
        """Each contract's posted invoices, newest first; drafts left out; other contracts' apart."""
        hosting = self._new_contract(self.customer, "Acme Hosting", invoices=2)
        backup = self._new_contract(self.colleague, "Bob's Backup", invoices=1)
        draft = backup._recurring_create_invoice()
        invoices = (hosting | backup)._get_portal_invoices()
        self.assertEqual(invoices[hosting.id], hosting._get_related_invoices().sorted('invoice_date', reverse=True))
        self.assertEqual(len(invoices[hosting.id]), 2)
        self.assertGreaterEqual(invoices[hosting.id][0].invoice_date, invoices[hosting.id][1].invoice_date)
        self.assertEqual(invoices[backup.id], backup._get_related_invoices() - draft)

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, fields
from odoo.tests import TransactionCase

from odoo.addons.customer_portal.tests.common import PortalHttpCase, PortalUserCommon


class SubscriptionCommon(PortalUserCommon):
    """Two customer companies, each with a portal contact; contracts made and invoiced through contract's own
    invoicing (``_recurring_create_invoice``), posted; subscriptions shown (P15) unless a test turns them off."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.portal_view_subscriptions = True
        cls._setup_two_customers("Acme Subscriber", 'sub')
        cls.product = cls.env['product.product'].create(
            {'name': "Hosting Plan", 'type': 'service', 'list_price': 40.0, 'taxes_id': [Command.clear()]}
        )
        cls.currency = cls.company.currency_id

    @classmethod
    def _new_contract(cls, partner, name, price=40.0, rule='monthly', interval=1, invoices=1, contract_type='sale'):
        """A contract of one line started a year ago, invoiced ``invoices`` times (posted)."""
        start = fields.Date.subtract(fields.Date.today(), years=1)
        contract = cls.env['contract.contract'].create(
            {
                'name': name,
                'partner_id': partner.id,
                'contract_type': contract_type,
                'line_recurrence': True,
                'contract_line_ids': [
                    Command.create(
                        {
                            'product_id': cls.product.id,
                            'name': f"{name} line",
                            'quantity': 2,
                            'uom_id': cls.product.uom_id.id,
                            'price_unit': price,
                            'recurring_rule_type': rule,
                            'recurring_interval': interval,
                            'date_start': start,
                            'recurring_next_date': start,
                        }
                    )
                ],
            }
        )
        for _i in range(invoices):
            contract._recurring_create_invoice().action_post()
        return contract


class SubscriptionCase(SubscriptionCommon, TransactionCase):
    """The subscription data, for the models' tests."""


class SubscriptionHttpCase(SubscriptionCommon, PortalHttpCase):
    """The subscription data, for the routes' tests."""

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.http import request

from odoo.addons.customer_portal.controllers import invoices

from .contracts import subscriptions_enabled


class PortalAccount(invoices.PortalAccount):
    """/my/invoices (C2) gains the Subscription filter (P15): the invoices made from a contract."""

    def _get_account_searchbar_filters(self):
        # EXTENDS customer_portal: the Subscription filter, while the company shows subscriptions.
        filters = super()._get_account_searchbar_filters()
        if subscriptions_enabled(request.env.user.company_id):
            filters['subscription'] = {
                'label': request.env._("Subscription"),
                'domain': [('invoice_line_ids.contract_line_id', '!=', False)],
            }
        return filters

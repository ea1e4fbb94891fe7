# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import http
from odoo.http import request

from odoo.addons.customer_portal.controllers import home

from .contracts import subscriptions_enabled


class PortalAccount(home.PortalAccount):
    def _get_disabled_portal_counters(self):
        # EXTENDS customer_portal: contract's Contracts card is not rendered while subscriptions are off (P15).
        disabled = super()._get_disabled_portal_counters()
        return disabled if subscriptions_enabled(request.env.user.company_id) else [*disabled, 'contract_count']

    @http.route()
    def home(self, **kw):
        # EXTENDS customer_portal: whether contract's Contracts card may be rendered at all (P15).
        response = super().home(**kw)
        if getattr(response, 'qcontext', None) is not None:
            response.qcontext['portal_subscriptions_enabled'] = subscriptions_enabled(request.env.user.company_id)
        return response

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import http
from odoo.http import request

from odoo.addons.customer_portal.controllers import home

from .helpdesk import open_ticket_count, tickets_enabled


class PortalAccount(home.PortalAccount):
    def _get_disabled_portal_counters(self):
        # EXTENDS customer_portal: helpdesk_mgmt's Tickets card is not rendered while tickets are off (P17).
        disabled = super()._get_disabled_portal_counters()
        return disabled if tickets_enabled(request.env.user.company_id) else [*disabled, 'ticket_count']

    @http.route()
    def home(self, **kw):
        # EXTENDS customer_portal: whether helpdesk_mgmt's Tickets card may be rendered at all, and what it
        # says: the open tickets of the customer's company (P17).
        response = super().home(**kw)
        if getattr(response, 'qcontext', None) is not None:
            enabled = tickets_enabled(request.env.user.company_id)
            response.qcontext['portal_tickets_enabled'] = enabled
            if enabled and not request.env.user._is_internal():
                response.qcontext['portal_open_tickets_text'] = self._get_portal_open_tickets_text(open_ticket_count())
        return response

    def _get_portal_open_tickets_text(self, count):
        """The Tickets card's line: how many tickets of the customer's company are open, in words."""
        _ = request.env._
        if not count:
            return _("No open ticket")
        return _("1 open ticket") if count == 1 else _("%(count)s open tickets", count=count)

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo import http
from odoo.http import request
from odoo.osv import expression

from odoo.addons.customer_portal.controllers import home

from .shipments import shipments_enabled


class PortalAccount(home.PortalAccount):
    def _prepare_home_portal_values(self, counters):
        # EXTENDS customer_portal: the home's Shipments card reads "N shipments on the way" (C18). Computed with
        # the other counters of the home (portal's /my/counters, after the page), so the home itself makes no
        # query more; the card is shown once the customer company has a shipment.
        values = super()._prepare_home_portal_values(counters)
        if 'shipments_on_the_way' in counters:
            values['shipments_on_the_way'] = self._get_shipments_on_the_way_text()
        return values

    def _get_shipments_on_the_way_text(self):
        """ "N shipments on the way" (the shipments not shipped yet), 0 when the customer company has no
        shipment at all or does not see shipments (the card stays hidden)."""
        Picking = request.env['stock.picking']
        if not shipments_enabled(request.env.user.company_id) or not Picking.has_access('read'):
            return 0
        domain = Picking._get_portal_shipment_domain(request.env.user.partner_id)
        count = Picking.search_count(expression.AND([domain, Picking._get_portal_on_the_way_domain()]))
        _ = request.env._
        if count == 1:
            return _("1 shipment on the way")
        if count:
            return _("%(count)s shipments on the way", count=count)
        return _("No shipment on the way") if Picking.search_count(domain, limit=1) else 0

    @http.route()
    def home(self, **kw):
        # EXTENDS customer_portal: whether the Shipments card may be rendered at all (C18).
        response = super().home(**kw)
        if getattr(response, 'qcontext', None) is not None:
            response.qcontext['portal_shipments_enabled'] = shipments_enabled(request.env.user.company_id)
        return response

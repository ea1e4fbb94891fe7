# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.customer_portal.controllers import portal_list
from odoo.addons.sale_stock.controllers import portal

MAX_ID = 2**31 - 1  # a larger id in the URL is no record; PostgreSQL would refuse it as an integer


def shipments_enabled(company):
    """Does ``company`` show its customers their shipments (C18)? Internal users keep stock's pages."""
    # P18: the core's one answer (the company's switch), and the contact may view documents (A9).
    user = request.env.user
    return user._is_internal() or user.partner_id._is_portal_section_visible('shipments', company)


def sales_orders_enabled(company):
    """Does ``company`` show its customers their sales orders (P12)? Off, a shipment names its order without a
    link to it: shipments are reached from /my/shipments only."""
    company_sudo = company.sudo()
    return 'portal_show_sales_orders' not in company_sudo._fields or bool(company_sudo.portal_show_sales_orders)


class CustomerPortal(portal.SaleStockPortal, portal_list.CustomerPortal):
    """Shipments (C18): /my/shipments, the delivery orders of the customer company's orders, and sale_stock's
    delivery slip of a shipment, refused (404) while the company does not show shipments."""

    def _get_shipment_searchbar_sortings(self):
        _ = request.env._
        return {
            'scheduled': {'label': _("Scheduled Date"), 'order': 'scheduled_date desc, id desc'},
            'done': {'label': _("Shipping Date"), 'order': 'date_done desc nulls last, id desc'},
            'name': {'label': _("Reference"), 'order': 'name asc, id asc'},
            'order': {'label': _("Order"), 'order': 'origin asc, id desc'},
        }

    def _get_shipment_searchbar_filters(self):
        _ = request.env._
        return {
            'all': {'label': _("All"), 'domain': []},
            'on_the_way': {
                'label': _("On the way"),
                'domain': request.env['stock.picking']._get_portal_on_the_way_domain(),
            },
            'shipped': {'label': _("Shipped"), 'domain': [('state', '=', 'done')]},
        }

    @http.route(['/my/shipments', '/my/shipments/page/<int:page>'], type='http', auth='user', website=True)
    def portal_my_shipments(self, page=1, sortby=None, filterby=None, **kw):
        """The shipments of the customer company's orders, newest first, with their state, dates, contents,
        carrier, tracking link and delivery slip (C18). Works with the Sales Orders section off."""
        user = request.env.user
        Picking = request.env['stock.picking']
        if not shipments_enabled(user.company_id) or not Picking.has_access('read'):
            raise request.not_found()
        values = self._prepare_portal_list_values(
            Picking,
            Picking._get_portal_shipment_domain(user.partner_id),
            '/my/shipments',
            page=page,
            sortby=sortby,
            filterby=filterby,
            searchbar_sortings=self._get_shipment_searchbar_sortings(),
            searchbar_filters=self._get_shipment_searchbar_filters(),
            default_sortby='scheduled',
        )
        values.update(
            {
                'page_name': 'shipments',
                # sudo: portal users may read the shipments their search found, not their moves, products and
                # carriers; these are the shipments of the list.
                'shipments': values['records'].sudo(),
                'portal_orders_enabled': sales_orders_enabled(user.company_id),
            }
        )
        return request.render('customer_portal_stock.portal_my_shipments', values)

    def _stock_picking_check_access(self, picking_id, access_token=None):
        # EXTENDS sale_stock: behind the delivery slip and the return label of a shipment. Refused (404) while
        # the shipment's company does not show shipments, and for an id beyond PostgreSQL's integers (a 500).
        # A token given for a transfer without an order opens nothing: stock compares it with the order's
        # token, False there, and consteq(False, token) raised a TypeError (a 500).
        if picking_id > MAX_ID:
            raise MissingError(request.env._("This shipment does not exist."))
        picking_sudo = request.env['stock.picking'].sudo().browse(picking_id).exists()
        if not picking_sudo:
            raise MissingError(request.env._("This shipment does not exist."))
        if not picking_sudo.sale_id.access_token:
            access_token = None
        picking_sudo = super()._stock_picking_check_access(picking_id, access_token=access_token)
        if not shipments_enabled(picking_sudo.company_id):
            raise AccessError(request.env._("Shipments are not shown to customers."))
        return picking_sudo

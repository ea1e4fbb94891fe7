# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from werkzeug.urls import url_decode, url_encode

from odoo.http import request
from odoo.osv import expression

from odoo.addons.sale.controllers import portal

from .shipments import shipments_enabled

# The entries of a portal pager that hold a link.
PAGER_LINKS = ('page', 'page_first', 'page_start', 'page_previous', 'page_next', 'page_end', 'page_last')


class CustomerPortal(portal.CustomerPortal):
    """/my/orders (C8) gains the delivery status of each order and a filter on it (C18)."""

    def _get_order_delivery_filters(self):
        """The filter of /my/orders by sale_stock's delivery status, in the customer's words."""
        statuses = request.env['sale.order']._get_portal_delivery_statuses()
        filters = {'all': {'label': request.env._("All"), 'domain': []}}
        filters.update(
            {key: {'label': label, 'domain': [('delivery_status', '=', key)]} for key, label in statuses.items()}
        )
        return filters

    def _core_has_order_filters(self):
        """Whether the core addon's /my/orders has its own filters (C8, `_get_order_searchbar_filters`)."""
        return callable(getattr(super(), '_get_order_searchbar_filters', None))

    def _get_order_searchbar_filters(self):
        # EXTENDS customer_portal (C8, when it has these filters): the delivery statuses, in the customer's
        # words, instead of its Delivered filter (sale_stock's "full", our "Shipped").
        filters = super()._get_order_searchbar_filters()
        if shipments_enabled(request.env.user.company_id):
            filters.pop('delivered', None)
            filters.update({key: value for key, value in self._get_order_delivery_filters().items() if key != 'all'})
        return filters

    def _prepare_orders_domain(self, partner):
        # EXTENDS sale: the delivery status chosen in the filter of /my/orders, set in the request's context by
        # _prepare_sale_portal_rendering_values below (sale builds the list's domain with this method).
        domain = super()._prepare_orders_domain(partner)
        delivery_domain = request.env.context.get('portal_order_delivery_domain')
        return expression.AND([domain, delivery_domain]) if delivery_domain else domain

    def _prepare_sale_portal_rendering_values(
        self, page=1, date_begin=None, date_end=None, sortby=None, quotation_page=False, filterby=None, **kwargs
    ):
        # EXTENDS sale: the delivery status filter of /my/orders, while the company shows shipments; an unknown
        # filter shows every order.
        if not quotation_page and shipments_enabled(request.env.user.company_id) and self._core_has_order_filters():
            # The core's /my/orders (C8) has filters of its own: ours join them (_get_order_searchbar_filters).
            values = super()._prepare_sale_portal_rendering_values(
                page=page, date_begin=date_begin, date_end=date_end, sortby=sortby, quotation_page=quotation_page,
                filterby=filterby, **kwargs,
            )  # fmt: skip
            # The status in the customer's words, in our column, instead of sale_stock's in the core's badge.
            values.update(
                portal_delivery_statuses=request.env['sale.order']._get_portal_delivery_statuses(),
                order_delivery_shown=False,
            )
            return values
        if quotation_page or not shipments_enabled(request.env.user.company_id):
            if self._core_has_order_filters():
                kwargs['filterby'] = filterby
            return super()._prepare_sale_portal_rendering_values(
                page=page, date_begin=date_begin, date_end=date_end, sortby=sortby, quotation_page=quotation_page,
                **kwargs,
            )  # fmt: skip
        filters = self._get_order_delivery_filters()
        filterby = filterby if isinstance(filterby, str) and filterby in filters else 'all'
        if filters[filterby]['domain']:
            request.update_context(portal_order_delivery_domain=filters[filterby]['domain'])
        values = super()._prepare_sale_portal_rendering_values(
            page=page, date_begin=date_begin, date_end=date_end, sortby=sortby, quotation_page=quotation_page, **kwargs
        )
        values.update(
            {
                'searchbar_filters': filters,
                'filterby': filterby,
                'portal_delivery_statuses': request.env['sale.order']._get_portal_delivery_statuses(),
            }
        )
        if filterby != 'all':
            # why: sale's pager keeps only the dates and the sorting in its links; the next page keeps the filter.
            pager = values['pager']
            for entry in [pager[key] for key in PAGER_LINKS] + list(pager['pages']):
                path, _sep, query = entry['url'].partition('?')
                entry['url'] = f"{path}?{url_encode({**url_decode(query).to_dict(), 'filterby': filterby})}"
        return values

from odoo import _, fields, http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.customer_portal.controllers import portal_list
from odoo.addons.sale.controllers import portal

# Tabs of /my/orders (C8), as filters of its search bar: "Not Invoiced" is the To Invoice filter.
ORDER_TABS = ('to_invoice', 'all')


def _parse_datetime(value):
    """A date or datetime of the query string, or None (stock compared any text with create_date in SQL)."""
    try:
        return fields.Datetime.to_datetime(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


class CustomerPortal(portal.CustomerPortal, portal_list.CustomerPortal):
    """/my/orders (P12, C8): the Not Invoiced and All tabs, the invoicing (and delivery) filters and
    sortings, each order's invoices; with "Allow customers to view Sales Orders" off, every route
    of a sales order answers 404 to customers (quotations stay, as estimates). The list of both
    /my/orders and /my/quotes is built here; what is proper to estimates is in estimates.py."""

    # ------------------------------------------------------------
    # P12: the switch
    # ------------------------------------------------------------

    def _sales_orders_enabled(self, company=None):
        """Whether the customers of ``company`` (default: the user's) may view sales orders (P12);
        internal users always may (their previews)."""
        if request.env.user._is_internal():
            return True
        return (company or request.env.user.company_id)._is_portal_section_enabled('sales_orders')

    def _check_portal_order_shown(self, order_id, access_token):
        """404 when the customer opens a sales order of a company that hides them (P12). An order
        they may not open at all is left to stock's answer."""
        if request.env.user._is_internal():
            return
        try:
            order_sudo = self._document_check_access('sale.order', order_id, access_token=access_token)
        except (AccessError, MissingError):
            return
        if not order_sudo._is_portal_order_shown():
            raise request.not_found()

    def _prepare_home_portal_values(self, counters):
        # EXTENDS sale: no sales order count when customers may not view them (P12); not even counted.
        if 'order_count' in counters and not self._sales_orders_enabled():
            values = super()._prepare_home_portal_values([c for c in counters if c != 'order_count'])
            values['order_count'] = 0
            return values
        return super()._prepare_home_portal_values(counters)

    # ------------------------------------------------------------
    # The lists: /my/orders and /my/quotes
    # ------------------------------------------------------------

    def _get_sale_searchbar_sortings(self):
        # EXTENDS sale: sort by number and by amount too (C8, C9).
        sortings = super()._get_sale_searchbar_sortings()
        sortings.update(
            {
                'name': {'label': _('Number'), 'order': 'name desc'},
                'amount': {'label': _('Amount'), 'order': 'amount_total desc, id desc'},
            }
        )
        return sortings

    def _get_order_searchbar_filters(self):
        """The filters of /my/orders: the Not Invoiced tab (To Invoice), Fully Invoiced and, when an
        installed app delivers orders, Delivered."""
        SaleOrder = request.env['sale.order']
        filters = {
            'all': {'label': _('All'), 'domain': []},
            'to_invoice': {'label': _('To Invoice'), 'domain': SaleOrder._get_portal_not_invoiced_domain()},
            'invoiced': {'label': _('Fully Invoiced'), 'domain': SaleOrder._get_portal_fully_invoiced_domain()},
        }
        delivered = SaleOrder._get_portal_delivered_domain()
        if delivered is not None:
            filters['delivered'] = {'label': _('Delivered'), 'domain': delivered}
        return filters

    def _prepare_sale_portal_rendering_values(
        self, page=1, date_begin=None, date_end=None, sortby=None, quotation_page=False, filterby=None, **kwargs
    ):
        # EXTENDS sale without super(): the same list (the customer's orders or quotations, one page,
        # the sortings, the dates) made by our list helper with the filters and tabs of C8 and C9, for
        # which stock's has no hook; super() would search the orders a second time. Unknown sort or
        # filter keys and malformed dates fall back to the defaults instead of a 500.
        SaleOrder = request.env['sale.order']
        partner = request.env.user.partner_id
        if quotation_page:
            url = '/my/quotes'
            domain = self._get_portal_estimates_list_domain(partner)
            searchbar_filters = self._get_estimate_searchbar_filters()
        else:
            url = '/my/orders'
            domain = self._prepare_orders_domain(partner)
            searchbar_filters = self._get_order_searchbar_filters()
        date_begin, date_end = _parse_datetime(date_begin), _parse_datetime(date_end)
        if date_begin and date_end:
            domain = domain + [('create_date', '>', date_begin), ('create_date', '<=', date_end)]
        values = self._prepare_portal_list_values(
            SaleOrder,
            domain,
            url,
            page=page,
            sortby=sortby,
            filterby=filterby,
            searchbar_sortings=self._get_sale_searchbar_sortings(),
            searchbar_filters=searchbar_filters,
            url_args={'date_begin': date_begin, 'date_end': date_end},
        )
        records_sudo = values.pop('records').sudo()  # sudo: as stock, the rows read the order's lines and invoices
        values.update(
            {
                'date': date_begin,
                'quotations': records_sudo if quotation_page else SaleOrder,
                'orders': SaleOrder if quotation_page else records_sudo,
                'page_name': 'quote' if quotation_page else 'order',
            }
        )
        if quotation_page:
            values.update(self._get_estimates_list_extra_values(records_sudo))
        else:
            values.update(
                {
                    'order_tab': values['filterby'] if values['filterby'] in ORDER_TABS else 'all',
                    'order_delivery_shown': 'delivered' in searchbar_filters,
                }
            )
        return values

    # ------------------------------------------------------------
    # Routes of a sales order (P12)
    # ------------------------------------------------------------

    @http.route()
    def portal_my_orders(self, **kwargs):
        # EXTENDS sale: 404 when the company does not let its customers view sales orders (P12).
        if not self._sales_orders_enabled():
            raise request.not_found()
        return super().portal_my_orders(**kwargs)

    @http.route()
    def portal_order_page(
        self, order_id, report_type=None, access_token=None, message=False, download=False, downpayment=None, **kw
    ):
        # EXTENDS sale: a sales order (not a quotation) of a company that hides them is not found (P12).
        self._check_portal_order_shown(order_id, access_token)
        return super().portal_order_page(
            order_id,
            report_type=report_type,
            access_token=access_token,
            message=message,
            download=download,
            downpayment=downpayment,
            **kw,
        )

    @http.route()
    def portal_quote_document(self, order_id, document_id, access_token=None, **kw):
        # EXTENDS sale: same as the order page (P12); without a token, the signed-in customer's access
        # applies instead of a 500 (stock's parameter is required).
        self._check_portal_order_shown(order_id, access_token)
        return super().portal_quote_document(order_id, document_id, access_token)


class PaymentPortal(portal.PaymentPortal, CustomerPortal):
    @http.route()
    def portal_order_transaction(self, order_id, access_token, **kwargs):
        # EXTENDS sale: no payment of a sales order its customer may not view (P12).
        self._check_portal_order_shown(order_id, access_token)
        return super().portal_order_transaction(order_id, access_token, **kwargs)

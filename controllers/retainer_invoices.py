from odoo import _, http
from odoo.http import request

from odoo.addons.customer_portal.controllers import invoices, portal_list

# Tabs of the list, as their URLs name them (?tab=): "outstanding" is the unpaid ones.
RETAINER_TABS = ('outstanding', 'all')


class PortalAccount(invoices.PortalAccount, portal_list.CustomerPortal):
    """/my/retainer_invoices (C7): the down-payment invoices of the customer company, with the
    Outstanding (unpaid) and All tabs and a Paid filter."""

    def _get_retainer_searchbar_filters(self):
        return {
            'all': {'label': _('All'), 'domain': []},
            'paid': {'label': _('Paid'), 'domain': request.env['account.move']._get_portal_paid_domain()},
        }

    def _prepare_retainer_invoices_values(self, page, tab, filterby, sortby):
        """The list on the tab ``tab``: the unpaid ones (as the Outstanding Retainer Invoices figure
        of the home), or all of them with the Paid filter."""
        tab = tab if tab in RETAINER_TABS else 'all'
        Move = request.env['account.move']
        unpaid = Move._get_portal_unpaid_domain() if tab == 'outstanding' else []
        domain = self._get_retainer_invoices_domain() + unpaid
        values = self._prepare_portal_list_values(
            Move,
            domain,
            '/my/retainer_invoices',
            page=page,
            sortby=sortby,
            filterby=filterby if tab == 'all' else 'all',
            searchbar_sortings=self._get_account_searchbar_sortings(),
            searchbar_filters=self._get_retainer_searchbar_filters(),
            url_args={'tab': tab},
        )
        values.update(page_name='retainer_invoice', invoices=values.pop('records'), tab=tab)
        if tab != 'all':
            values['searchbar_filters'] = {}
        return values

    @http.route(
        ['/my/retainer_invoices', '/my/retainer_invoices/page/<int:page>'],
        type='http',
        auth='user',
        website=True,
        sitemap=False,
    )
    def portal_my_retainer_invoices(self, page=1, tab='all', filterby='all', sortby='date', **kw):
        if not request.env['account.move'].has_access('read'):
            raise request.not_found()
        values = self._prepare_retainer_invoices_values(page, tab, filterby, sortby)
        return request.render('customer_portal.portal_my_retainer_invoices', values)

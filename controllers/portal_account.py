from odoo import _, fields, http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request
from odoo.osv import expression
from odoo.addons.account.controllers.portal import PortalAccount
from odoo.addons.portal.controllers.portal import pager as portal_pager


class CustomerPortalAccount(PortalAccount):
    """Invoice tabs and filters (C2), credit notes (P13 / C6), retainer invoices (C7), and the customer
    and invoice helpers that the home (controllers/home.py) and the statement (controllers/statement.py)
    ask too."""

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _get_portal_customer(self):
        """The customer company of the caller: the scope of every figure, never a parameter."""
        return request.env.user.partner_id.commercial_partner_id

    def _credit_notes_enabled(self, company=None):
        return bool((company or request.env.user.company_id).sudo().portal_display_credit_notes)

    def _get_customer_invoice_domain(self, move_types=('out_invoice', 'out_receipt')):
        return [
            ('state', '=', 'posted'),
            ('move_type', 'in', move_types),
            ('partner_id', 'child_of', self._get_portal_customer().id),
        ]

    def _get_unpaid_invoices_domain(self):
        return [('payment_state', 'in', ('not_paid', 'partial'))]

    def _get_past_due_invoices_domain(self):
        return self._get_unpaid_invoices_domain() + [('invoice_date_due', '<', fields.Date.today())]

    # ------------------------------------------------------------
    # Invoices (C2)
    # ------------------------------------------------------------

    def _get_invoices_domain(self, m_type=None):
        # EXTENDS account: credit notes have their own list when the company displays them (P13).
        domain = super()._get_invoices_domain(m_type)
        if m_type in (None, 'out') and not request.env.user._is_internal() and self._credit_notes_enabled():
            domain = expression.AND([domain, [('move_type', '!=', 'out_refund')]])
        return domain

    def _get_account_searchbar_sortings(self):
        # EXTENDS account: sort by number and by amount too (C2).
        sortings = super()._get_account_searchbar_sortings()
        sortings['name'] = {**sortings.get('name', {}), 'label': _('Number'), 'order': 'name desc'}
        sortings['amount'] = {'label': _('Amount'), 'order': 'amount_total_signed desc, id desc'}
        return sortings

    def _get_account_searchbar_filters(self):
        # EXTENDS account: the Outstanding and Past Due tabs (C2) and the payment filters.
        # "Outstanding" means unpaid everywhere (home card, its link, the tab, the bulk page);
        # what is past its due date is called "Past Due".
        filters = super()._get_account_searchbar_filters()
        invoices = [('move_type', 'in', ('out_invoice', 'out_receipt'))]
        filters.update({
            'paid': {'label': _('Paid'), 'domain': invoices + [('payment_state', 'in', ('paid', 'in_payment'))]},
            'unpaid': {'label': _('Outstanding'), 'domain': invoices + self._get_unpaid_invoices_domain()},
            'overdue': {'label': _('Past Due'), 'domain': invoices + self._get_past_due_invoices_domain()},
            'partial': {'label': _('Partially Paid'), 'domain': invoices + [('payment_state', '=', 'partial')]},
        })
        return filters

    @http.route()
    def portal_my_invoices(self, page=1, date_begin=None, date_end=None, sortby=None, filterby=None, **kw):
        # EXTENDS account: unknown sort or filter keys fall back to the defaults instead of a 500.
        if sortby not in self._get_account_searchbar_sortings():
            sortby = None
        if filterby == 'outstanding':
            filterby = 'unpaid'  # the former name of the Outstanding tab, in links already sent
        if filterby not in self._get_account_searchbar_filters():
            filterby = None
        return super().portal_my_invoices(
            page=page, date_begin=date_begin, date_end=date_end, sortby=sortby, filterby=filterby, **kw)

    def _prepare_my_invoices_values(self, page, date_begin, date_end, sortby, filterby, domain=None, url="/my/invoices"):
        # EXTENDS account: the Outstanding / Past Due / All tabs and the retainer badge of the list (C2, C7).
        values = super()._prepare_my_invoices_values(
            page, date_begin, date_end, sortby, filterby, domain=domain, url=url)
        if url == '/my/invoices':
            values.update({
                'invoice_tab': values.get('filterby') if values.get('filterby') in ('unpaid', 'overdue') else 'all',
                'retainer_invoice_ids': self._get_retainer_invoice_ids(),
            })
        return values

    # ------------------------------------------------------------
    # Retainer invoices (C7)
    # ------------------------------------------------------------

    def _get_retainer_invoice_ids(self):
        customer = self._get_portal_customer().sudo()
        return customer._get_portal_retainer_invoice_ids(company=request.env.user.company_id)

    def _get_retainer_invoices_domain(self):
        return self._get_customer_invoice_domain(('out_invoice',)) + [('id', 'in', self._get_retainer_invoice_ids())]

    def _get_retainer_searchbar_filters(self):
        return {
            'all': {'label': _('All'), 'domain': []},
            'paid': {'label': _('Paid'), 'domain': [('payment_state', 'in', ('paid', 'in_payment'))]},
        }

    @http.route(['/my/retainer_invoices', '/my/retainer_invoices/page/<int:page>'],
                type='http', auth='user', website=True, sitemap=False)
    def portal_my_retainer_invoices(self, page=1, tab='all', filterby='all', sortby='date', **kw):
        Move = request.env['account.move']
        if not Move.has_access('read'):
            raise request.not_found()
        tab = tab if tab in ('outstanding', 'all') else 'all'
        filters = self._get_retainer_searchbar_filters()
        filterby = filterby if filterby in filters else 'all'
        sortings = self._get_account_searchbar_sortings()
        sortby = sortby if sortby in sortings else 'date'
        domain = self._get_retainer_invoices_domain()
        if tab == 'outstanding':
            # Outstanding = unpaid, as the Outstanding Retainer Invoices figure of the home.
            domain += self._get_unpaid_invoices_domain()
        else:
            domain += filters[filterby]['domain']
        pager = portal_pager(
            url='/my/retainer_invoices',
            url_args={'tab': tab, 'filterby': filterby, 'sortby': sortby},
            total=Move.search_count(domain),
            page=page if isinstance(page, int) else 1,
            step=self._items_per_page,
        )
        invoices = Move.search(domain, order=sortings[sortby]['order'], limit=self._items_per_page,
                               offset=pager['offset'])
        values = self._prepare_portal_layout_values()
        values.update({
            'page_name': 'retainer_invoice',
            'invoices': invoices,
            'pager': pager,
            'tab': tab,
            'default_url': '/my/retainer_invoices',
            'searchbar_filters': filters if tab == 'all' else {},
            'filterby': filterby,
            'searchbar_sortings': sortings,
            'sortby': sortby,
        })
        return request.render('customer_portal.portal_my_retainer_invoices', values)

    # ------------------------------------------------------------
    # Credit notes (P13, C6)
    # ------------------------------------------------------------

    @http.route(['/my/credit_notes', '/my/credit_notes/page/<int:page>'],
                type='http', auth='user', website=True, sitemap=False)
    def portal_my_credit_notes(self, page=1, sortby='date', **kw):
        Move = request.env['account.move']
        if not self._credit_notes_enabled() or not Move.has_access('read'):
            raise request.not_found()
        sortings = self._get_account_searchbar_sortings()
        sortby = sortby if sortby in sortings else 'date'
        domain = self._get_customer_invoice_domain(('out_refund',))
        pager = portal_pager(
            url='/my/credit_notes',
            url_args={'sortby': sortby},
            total=Move.search_count(domain),
            page=page if isinstance(page, int) else 1,
            step=self._items_per_page,
        )
        credit_notes = Move.search(domain, order=sortings[sortby]['order'], limit=self._items_per_page,
                                   offset=pager['offset'])
        request.session['my_credit_notes_history'] = credit_notes.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update({
            'page_name': 'credit_note',
            'credit_notes': credit_notes,
            'pager': pager,
            'default_url': '/my/credit_notes',
            'searchbar_sortings': sortings,
            'sortby': sortby,
        })
        return request.render('customer_portal.portal_my_credit_notes', values)

    @http.route(['/my/credit_notes/<int:credit_note_id>'], type='http', auth='public', website=True, sitemap=False)
    def portal_my_credit_note_detail(self, credit_note_id, access_token=None, **kw):
        try:
            credit_note_sudo = self._document_check_access('account.move', credit_note_id, access_token)
        except (AccessError, MissingError):
            raise request.not_found()
        if (credit_note_sudo.move_type != 'out_refund' or credit_note_sudo.state != 'posted'
                or not self._credit_notes_enabled(credit_note_sudo.company_id)):
            raise request.not_found()
        applied, refunds = credit_note_sudo._get_portal_credit_note_allocations()
        values = {
            'page_name': 'credit_note',
            'credit_note': credit_note_sudo,
            'applied_invoices': applied,
            'refunds': refunds,
        }
        values = self._get_page_view_values(
            credit_note_sudo, access_token, values, 'my_credit_notes_history', False, **kw)
        return request.render('customer_portal.portal_credit_note_page', values)

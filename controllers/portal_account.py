import re
from datetime import date

from odoo import _, fields, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request
from odoo.osv import expression
from odoo.addons.account.controllers.portal import PortalAccount
from odoo.addons.portal.controllers.portal import pager as portal_pager

STATEMENT_PERIODS = ('this_month', 'last_month', 'this_quarter', 'this_year', 'custom')
STATEMENT_FORM_DATE_RE = re.compile(r'[0-9]{4}-[0-9]{2}-[0-9]{2}')  # ASCII digits only, as the statement reads them


class CustomerPortalAccount(PortalAccount):
    """The customer's money at a glance: home balance summary (C1), invoice tabs and filters (C2),
    credit notes (P13 / C6), retainer invoices (C7) and statements of account (C5)."""

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
    # Home (C1)
    # ------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        # EXTENDS account: counters of the credit notes (P13) and retainer invoices (C7) entries.
        values = super()._prepare_home_portal_values(counters)
        Move = request.env['account.move']
        if 'credit_note_count' in counters:
            values['credit_note_count'] = Move.search_count(
                self._get_customer_invoice_domain(('out_refund',)), limit=1,
            ) if self._credit_notes_enabled() and Move.has_access('read') else 0
        if 'retainer_invoice_count' in counters:
            values['retainer_invoice_count'] = Move.search_count(
                self._get_retainer_invoices_domain(), limit=1,
            ) if Move.has_access('read') else 0
        return values

    def _get_portal_home_account_values(self):
        """Values of the home's balance summary, last payment, details and contacts (C1)."""
        user = request.env.user
        company = user.company_id
        customer = self._get_portal_customer()
        customer_sudo = customer.sudo()
        addresses = customer_sudo.address_get(['invoice', 'delivery'])
        bulk_payment = company.sudo().portal_bulk_payment
        SaleOrder = request.env['sale.order']
        return {
            'balance_summary': customer_sudo._get_portal_balance_summary(company=company),
            'last_payment': customer_sudo._get_portal_last_payment(company=company),
            'portal_customer': customer_sudo,
            'portal_invoice_address': customer_sudo.browse(addresses['invoice']),
            'portal_delivery_address': customer_sudo.browse(addresses['delivery']),
            'portal_contact_persons': customer_sudo.child_ids.filtered(lambda p: p.type == 'contact'),
            'portal_business': company.sudo().partner_id,
            # One meaning of "outstanding" (the card's total): with bulk payments, one payment of all of
            # it; without, the list of those invoices, each with its Pay Now (stock's overdue page would
            # pay the past-due ones only, and several at once).
            'portal_pay_now_url': '/my/invoices/pay' if bulk_payment else '/my/invoices?filterby=unpaid',
            'portal_estimates_count': SaleOrder.search_count(
                self._prepare_quotations_domain(user.partner_id),
            ) if SaleOrder.has_access('read') else 0,
            'portal_credit_notes_enabled': self._credit_notes_enabled(),
        }

    @http.route()
    def home(self, **kw):
        # EXTENDS portal: the customer's balance summary and details on top of the home (C1).
        response = super().home(**kw)
        if getattr(response, 'qcontext', None) is None:
            return response
        # A card of a feature that is off is never rendered, in any session: stock shows a card
        # whose counter was once non-zero in this session (portal_docs_entry's force_show) without
        # counting again, so forget those counters too.
        response.qcontext['portal_credit_notes_enabled'] = self._credit_notes_enabled()
        disabled = self._get_disabled_portal_counters()
        cache = request.session.get('portal_counters') or {}
        if any(key in cache for key in disabled):
            request.session.portal_counters = {k: v for k, v in cache.items() if k not in disabled}
        if request.env.user._is_portal():
            response.qcontext.update(self._get_portal_home_account_values())
        return response

    def _get_disabled_portal_counters(self):
        """Counters of the home's cards whose feature is off in the user's company."""
        return [] if self._credit_notes_enabled() else ['credit_note_count']

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

    def _get_credit_note_allocations(self, credit_note):
        """What a credit note was used for: the invoices it was applied to and the refunds paid
        out of it, each with the amount (credit note currency) and the date."""
        applied, refunds = [], []
        partials, _exchange_moves = credit_note._get_reconciled_invoices_partials()
        for partial, amount, counterpart_line in partials:
            move = counterpart_line.move_id
            allocation = {'move': move, 'amount': amount, 'date': partial.max_date}
            if move.is_sale_document(include_receipts=True):
                applied.append(allocation)
            else:
                allocation['payment'] = move.origin_payment_id
                refunds.append(allocation)
        return applied, refunds

    @http.route(['/my/credit_notes/<int:credit_note_id>'], type='http', auth='public', website=True, sitemap=False)
    def portal_my_credit_note_detail(self, credit_note_id, access_token=None, **kw):
        try:
            credit_note_sudo = self._document_check_access('account.move', credit_note_id, access_token)
        except (AccessError, MissingError):
            raise request.not_found()
        if (credit_note_sudo.move_type != 'out_refund' or credit_note_sudo.state != 'posted'
                or not self._credit_notes_enabled(credit_note_sudo.company_id)):
            raise request.not_found()
        applied, refunds = self._get_credit_note_allocations(credit_note_sudo)
        values = {
            'page_name': 'credit_note',
            'credit_note': credit_note_sudo,
            'applied_invoices': applied,
            'refunds': refunds,
        }
        values = self._get_page_view_values(
            credit_note_sudo, access_token, values, 'my_credit_notes_history', False, **kw)
        return request.render('customer_portal.portal_credit_note_page', values)

    # ------------------------------------------------------------
    # Statement of account (C5)
    # ------------------------------------------------------------

    @http.route(['/my/statement'], type='http', auth='user', website=True, sitemap=False)
    def portal_my_statement(self, period='this_month', date_from=None, date_to=None, report_type=None,
                            download=None, **kw):
        customer = self._get_portal_customer().sudo()
        company = request.env.user.company_id
        Partner = request.env['res.partner']
        period = period if isinstance(period, str) and period in STATEMENT_PERIODS else None
        error = None
        statement = None
        try:
            if period is None:
                raise UserError(_("Choose a period for the statement."))
            date_from, date_to = Partner._get_portal_statement_period(
                period,
                date_from if isinstance(date_from, str) else None,
                date_to if isinstance(date_to, str) else None,
            )
        except UserError as e:
            error = e.args[0]
        if not error and report_type in ('pdf', 'html'):
            return self._show_statement_report(customer, company, date_from, date_to, report_type, download)
        if not error:
            statement = customer._get_portal_statement(date_from, date_to, company=company)
        values = self._prepare_portal_layout_values()
        values.update({
            'page_name': 'statement',
            'statement': statement,
            'statement_error': error,
            'period': period or 'custom',
            'date_from': self._statement_form_date(date_from),
            'date_to': self._statement_form_date(date_to),
            'statement_periods': self._get_statement_periods(),
        })
        return request.render('customer_portal.portal_my_statement', values)

    def _statement_form_date(self, value):
        """The date to show back in the form: only something that looks like a date is echoed."""
        if isinstance(value, date):
            return value.isoformat()
        return value if isinstance(value, str) and STATEMENT_FORM_DATE_RE.fullmatch(value) else ''

    def _get_statement_periods(self):
        return [
            ('this_month', _("This Month")),
            ('last_month', _("Last Month")),
            ('this_quarter', _("This Quarter")),
            ('this_year', _("This Year")),
            ('custom', _("Custom")),
        ]

    def _show_statement_report(self, customer, company, date_from, date_to, report_type, download):
        data = {
            'date_from': fields.Date.to_string(date_from),
            'date_to': fields.Date.to_string(date_to),
            'company_id': company.id,
        }
        Report = request.env['ir.actions.report'].sudo()
        report_ref = 'customer_portal.action_report_portal_statement'
        if report_type == 'html':
            content = Report._render_qweb_html(report_ref, customer.ids, data=data)[0]
            return request.make_response(content, [('Content-Type', 'text/html; charset=utf-8')])
        content = Report._render_qweb_pdf(report_ref, customer.ids, data=data)[0]
        filename = _("Statement %(from)s %(to)s.pdf", **{'from': data['date_from'], 'to': data['date_to']})
        disposition = 'attachment' if download else 'inline'
        return request.make_response(content, [
            ('Content-Type', 'application/pdf'),
            ('Content-Length', len(content)),
            ('Content-Disposition', http.content_disposition(filename, disposition_type=disposition)),
            ('X-Content-Type-Options', 'nosniff'),
        ])

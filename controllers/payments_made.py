from odoo import http
from odoo.http import request
from odoo.osv import expression

from odoo.addons.customer_portal.controllers import portal_list
from odoo.addons.customer_portal.tools.request_cache import get_customer_ledger_partner_ids


class CustomerPortal(portal_list.CustomerPortal):
    """/my/payments and /my/payments/<id>, Payments Made (C4): the payments received from the
    customer company, with what each paid and its receipt."""

    def _prepare_home_portal_values(self, counters):
        # EXTENDS portal: the Payments Made card of the portal home.
        values = super()._prepare_home_portal_values(counters)
        if 'payment_count' in counters:
            # sudo: portal users cannot read payments; the domain is the scope of the caller's company.
            values['payment_count'] = (
                request.env['account.payment'].sudo().search_count(self._get_portal_payments_domain())
            )
        return values

    def _get_portal_payments_domain(self):
        # Scope from the signed-in user only, never from a parameter.
        return request.env['account.payment']._get_portal_payment_domain(
            request.env.user.partner_id, partner_ids=get_customer_ledger_partner_ids()
        )

    def _get_portal_payments_searchbar_sortings(self):
        return {
            'date': {'label': request.env._("Newest"), 'order': 'date desc, id desc'},
            'date_asc': {'label': request.env._("Oldest"), 'order': 'date asc, id asc'},
            'amount': {'label': request.env._("Amount: High to Low"), 'order': 'amount desc, id desc'},
            'amount_asc': {'label': request.env._("Amount: Low to High"), 'order': 'amount asc, id asc'},
        }

    def _get_portal_payments_searchbar_filters(self):
        return {
            'all': {'label': request.env._("All"), 'domain': []},
            'invoices': {
                'label': request.env._("Invoice Payments"),
                'domain': request.env['account.payment']._get_portal_invoice_payment_domain(),
            },
        }

    @http.route(['/my/payments', '/my/payments/page/<int:page>'], type='http', auth='user', website=True)
    def portal_my_payments(self, page=1, sortby=None, filterby=None, **kw):
        values = self._prepare_portal_list_values(
            request.env['account.payment'].sudo(),  # sudo: as the counter of the home, above
            self._get_portal_payments_domain(),
            '/my/payments',
            page=page,
            sortby=sortby,
            filterby=filterby,
            searchbar_sortings=self._get_portal_payments_searchbar_sortings(),
            searchbar_filters=self._get_portal_payments_searchbar_filters(),
        )
        payments_sudo = values.pop('records')
        request.session['my_payments_history'] = payments_sudo.ids[:100]
        values.update(
            page_name='payment',
            payments=payments_sudo,
            portal_allocations=payments_sudo._get_portal_invoice_allocations(),
        )
        return request.render('customer_portal.portal_my_payments', values)

    @http.route('/my/payments/<int:payment_id>', type='http', auth='user', website=True)
    def portal_my_payment_detail(self, payment_id, report_type=None, download=False, **kw):
        if not 0 < payment_id < 2**31:
            # why: the id is compared in SQL with an integer column; 2147483648 and more made
            # PostgreSQL fail (NumericValueOutOfRange) and the page answer 500.
            raise request.not_found()
        payment_sudo = (
            request.env['account.payment']
            .sudo()
            .search(expression.AND([self._get_portal_payments_domain(), [('id', '=', payment_id)]]), limit=1)
        )
        if not payment_sudo:
            raise request.not_found()
        if report_type in ('pdf', 'html'):
            return self._show_report(
                model=payment_sudo,
                report_type=report_type,
                report_ref='account.action_report_payment_receipt',
                download=download in (True, 'true', '1', 'True'),
            )
        values = {
            'payment': payment_sudo,
            'portal_allocations': payment_sudo._get_portal_invoice_allocations()[payment_sudo.id],
            'page_name': 'payment',
        }
        # The payment's own token for its chatter: portal users cannot read payments, so
        # portal.message_thread reads and posts with it. Only a caller who passed the scope above gets it.
        # No **kw: the page is for signed-in users, so the chatter's pid / hash of e-mailed links are not
        # taken from the URL.
        values = self._get_page_view_values(
            payment_sudo, payment_sudo._portal_ensure_token(), values, 'my_payments_history', False
        )
        return request.render('customer_portal.portal_payment_page', values)

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.customer_portal.controllers import invoices, portal_list


class PortalAccount(invoices.PortalAccount, portal_list.CustomerPortal):
    """/my/credit_notes and /my/credit_notes/<id> (P13, C6): the credit notes of the customer
    company, when the company displays them (404 otherwise)."""

    @http.route(
        ['/my/credit_notes', '/my/credit_notes/page/<int:page>'],
        type='http',
        auth='user',
        website=True,
        sitemap=False,
    )
    def portal_my_credit_notes(self, page=1, sortby='date', **kw):
        Move = request.env['account.move']
        if not self._credit_notes_enabled() or not Move.has_access('read'):
            raise request.not_found()
        values = self._prepare_portal_list_values(
            Move,
            self._get_customer_invoice_domain(('out_refund',)),
            '/my/credit_notes',
            page=page,
            sortby=sortby,
            searchbar_sortings=self._get_account_searchbar_sortings(),
        )
        values.update(page_name='credit_note', credit_notes=values.pop('records'))
        request.session['my_credit_notes_history'] = values['credit_notes'].ids[:100]
        return request.render('customer_portal.portal_my_credit_notes', values)

    @http.route(['/my/credit_notes/<int:credit_note_id>'], type='http', auth='public', website=True, sitemap=False)
    def portal_my_credit_note_detail(self, credit_note_id, access_token=None, **kw):
        try:
            credit_note_sudo = self._document_check_access('account.move', credit_note_id, access_token)
        except (AccessError, MissingError):
            raise request.not_found() from None
        if (
            credit_note_sudo.move_type != 'out_refund'
            or credit_note_sudo.state != 'posted'
            or not self._credit_notes_enabled(credit_note_sudo.company_id)
        ):
            raise request.not_found()
        applied, refunds = credit_note_sudo._get_portal_credit_note_allocations()
        values = {
            'page_name': 'credit_note',
            'credit_note': credit_note_sudo,
            'applied_invoices': applied,
            'refunds': refunds,
        }
        values = self._get_page_view_values(
            credit_note_sudo, access_token, values, 'my_credit_notes_history', False, **kw
        )
        return request.render('customer_portal.portal_credit_note_page', values)

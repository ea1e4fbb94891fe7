# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""P14 "Identity verification for public links": the document pages a link opens (invoice, credit
note, quotation / order) show a visitor who is not signed in a summary and Pay, and their content,
PDF, print and download only once the code emailed to the address on record was entered in this
browser session. The rules are customer_portal.identity.code's; /web/content is gated in ir.binary."""

from urllib.parse import urlencode

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.account_payment.controllers import portal as account_portal
from odoo.addons.portal.controllers import portal
from odoo.addons.sale.controllers import portal as sale_portal

from . import credit_notes

# The kinds of documents of the code routes, and their model.
IDENTITY_MODELS = {'invoice': 'account.move', 'order': 'sale.order'}


def _identity_document(controller, model, document_id, access_token):
    """The document (sudo) of a valid link whose content the caller may not read yet, or None: no
    such document, a wrong token (the route refuses it), the setting off, a signed-in user of the
    customer, or a code already entered in this session. The link is checked by the portal's
    _document_check_access: stock's token, or a recipient's own link (issue 11 item 2)."""
    if not isinstance(document_id, int) or not 0 < document_id < 2**31:
        return None
    document_sudo = request.env[model].sudo().browse(document_id).exists()
    if not document_sudo or not request.env['customer_portal.identity.code']._is_locked(document_sudo, request.session):
        return None
    try:
        controller._document_check_access(model, document_id, access_token=access_token)
    except (AccessError, MissingError):
        return None
    return document_sudo


def _document_url(document_sudo, access_token, **params):
    return f'{document_sudo.access_url}?{urlencode({"access_token": access_token, **params})}'


def _render_locked_page(document_sudo, access_token, error=None, sent=False, status=200):
    values = request.env['customer_portal.identity.code']._get_summary_values(document_sudo, access_token)
    kind = 'invoice' if document_sudo._name == 'account.move' else 'order'
    values.update(
        {
            'identity_error': error,
            'identity_sent': sent,
            'identity_send_url': f'/my/identity/{kind}/{document_sudo.id}/send',
            'identity_verify_url': f'/my/identity/{kind}/{document_sudo.id}/verify',
            'no_breadcrumbs': True,
        }
    )
    return request.render('customer_portal.portal_identity_check', values, status=status)


def _gate(controller, model, document_id, access_token, content_requested):
    """The answer for a locked document, or None to let the route answer: the summary page, and a
    request for the content (report, download) sent back to it."""
    document_sudo = _identity_document(controller, model, document_id, access_token)
    if not document_sudo:
        return None
    if content_requested:
        return request.redirect(_document_url(document_sudo, access_token), code=303)
    return _render_locked_page(document_sudo, access_token, sent=request.params.get('identity') == 'sent')


class PortalAccount(account_portal.PortalAccount):
    @http.route()
    def portal_my_invoice_detail(self, invoice_id, access_token=None, report_type=None, download=False, **kw):
        # EXTENDS account: P14, the invoice's content, PDF, print and download after the code.
        locked = _gate(self, 'account.move', invoice_id, access_token, bool(report_type or download))
        if locked:
            return locked
        return super().portal_my_invoice_detail(
            invoice_id, access_token=access_token, report_type=report_type, download=download, **kw
        )


class CreditNotePortal(credit_notes.PortalAccount):
    @http.route()
    def portal_my_credit_note_detail(self, credit_note_id, access_token=None, **kw):
        # EXTENDS customer_portal: P14, the credit note's allocations after the code.
        locked = _gate(self, 'account.move', credit_note_id, access_token, False)
        if locked:
            return locked
        return super().portal_my_credit_note_detail(credit_note_id, access_token=access_token, **kw)


class CustomerPortal(sale_portal.CustomerPortal):
    @http.route()
    def portal_order_page(
        self, order_id, report_type=None, access_token=None, message=False, download=False, downpayment=None, **kw
    ):
        # EXTENDS sale: P14, the quotation's or order's content, PDF, print and download after the code.
        locked = _gate(self, 'sale.order', order_id, access_token, bool(report_type or download))
        if locked:
            return locked
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
        # EXTENDS sale: P14, the quotation's product documents after the code too.
        locked = _gate(self, 'sale.order', order_id, access_token, True)
        if locked:
            return locked
        return super().portal_quote_document(order_id, document_id, access_token=access_token, **kw)


class PortalIdentity(portal.CustomerPortal):
    """The two forms of the locked page: email me a code, enter the code."""

    def _get_locked_document(self, kind, document_id, access_token):
        model = IDENTITY_MODELS.get(kind)
        document_sudo = _identity_document(self, model, document_id, access_token) if model else None
        if not document_sudo:
            # The setting off, a wrong link, or nothing left to unlock.
            raise request.not_found()
        return document_sudo

    @http.route(
        '/my/identity/<any(invoice,order):kind>/<int:document_id>/send',
        type='http',
        auth='public',
        methods=['POST'],
        website=True,
        sitemap=False,
    )
    def portal_identity_send(self, kind, document_id, access_token=None, **kw):
        document_sudo = self._get_locked_document(kind, document_id, access_token)
        try:
            request.env['customer_portal.identity.code']._send_code(document_sudo, access_token)
        except UserError as error:
            return _render_locked_page(document_sudo, access_token, error=error.args[0], status=429)
        return request.redirect(_document_url(document_sudo, access_token, identity='sent'), code=303)

    @http.route(
        '/my/identity/<any(invoice,order):kind>/<int:document_id>/verify',
        type='http',
        auth='public',
        methods=['POST'],
        website=True,
        sitemap=False,
    )
    def portal_identity_verify(self, kind, document_id, access_token=None, code=None, **kw):
        document_sudo = self._get_locked_document(kind, document_id, access_token)
        Code = request.env['customer_portal.identity.code']
        try:
            Code._verify_code(document_sudo, access_token, code)
        except UserError as error:
            return _render_locked_page(document_sudo, access_token, error=error.args[0], sent=True, status=400)
        Code._unlock(request.session, document_sudo)
        return request.redirect(_document_url(document_sudo, access_token), code=303)

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Forwarding documents (P9, C15) and per-recipient links (issue 11).

A document's page accepts, beside stock's token of the document (one for everyone, never expiring), the
token of a recipient's own link (customer_portal.share.link): valid for a while, revocable, each opening
logged. With "Only Per-Recipient Links", stock's token alone is refused with a page asking for a new link.
"""

from itertools import zip_longest

from werkzeug.exceptions import Forbidden

from odoo import SUPERUSER_ID, http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers import portal

# The documents that can be forwarded, by the segment of their portal URL.
FORWARD_DOCUMENTS = {'invoices': 'account.move', 'orders': 'sale.order'}
# Rows of a forward form read at most (the company's limit refuses more anyway).
MAX_FORM_ROWS = 100


class CustomerPortal(portal.CustomerPortal):
    # ------------------------------------------------------------
    # Per-recipient links
    # ------------------------------------------------------------

    def _document_check_access(self, model_name, document_id, access_token=None):
        # EXTENDS portal: a recipient's own token opens the document like stock's (which super() checks
        # first), and a browser that opened it so reaches its sub-pages (PDF, accept, chatter), which stock
        # links with the document's token. With "Only Per-Recipient Links", stock's token alone is refused.
        try:
            document_sudo = super()._document_check_access(model_name, document_id, access_token=access_token)
        except AccessError:
            if not access_token:
                raise
            link = request.env['customer_portal.share.link']._get_by_token(model_name, document_id, access_token)
            if not link:
                raise
            self._share_link_opened(link, access_token)
            return request.env[model_name].browse(document_id).with_user(SUPERUSER_ID)
        if access_token and model_name in FORWARD_DOCUMENTS.values():
            self._check_stock_token_allowed(document_sudo, access_token)
        return document_sudo

    def _share_link_opened(self, link, token):
        """Log the opening (not the page's own preview frame), link the page's PDF and sub-pages with the
        same token (portal.mixin's get_portal_url), and let this browser reach the sub-pages that stock links
        with the document's own token."""
        tokens = getattr(request, 'customer_portal_share_tokens', {})
        key = (link.res_model, link.res_id)
        if key in tokens:
            return  # checked again by the same request (e.g. a route and its guard): one opening
        request.customer_portal_share_tokens = {**tokens, key: token}
        if request.params.get('report_type') != 'html':
            link._log_open(request.httprequest.remote_addr)
        if request.session.get('customer_portal_share_links', {}).get(f'{link.res_model},{link.res_id}') != link.id:
            link._remember_in_session(request.session)

    def _check_stock_token_allowed(self, document_sudo, access_token):
        """The document's own token (``access_token`` matched it) opens the document unless its company
        accepts only per-recipient links and this browser did not open it by such a link."""
        # with_user: stock's document is its superuser's (with_user(SUPERUSER_ID)); the check is the visitor's.
        if not document_sudo.with_user(request.env.uid)._portal_stock_token_refused(access_token, request.session):
            return
        company = document_sudo.company_id.sudo()
        message = request.env._(
            "%(company)s now sends each person a link of their own. Ask %(company)s for a new link, or sign in to "
            "your customer portal.",
            company=company.name,
        )
        response = request.render(
            'customer_portal.portal_share_link_refused', {'company': company, 'refused_message': message}, status=403
        )
        response.flatten()
        raise Forbidden(response=response)

    # ------------------------------------------------------------
    # Forward (P9, C15)
    # ------------------------------------------------------------

    def _get_page_view_values(self, document, access_token, values, session_history, no_breadcrumbs, **kwargs):
        # EXTENDS portal: the Forward button of invoices, quotations and orders, shown only when the
        # company allows forwarding and the signed-in customer may forward this document.
        values = super()._get_page_view_values(
            document, access_token, values, session_history, no_breadcrumbs, **kwargs
        )
        if (
            document._name in FORWARD_DOCUMENTS.values()
            and document._portal_forward_allowed(request.env.user)
            and request.env.user.partner_id._has_portal_permission('forward')  # A9
        ):
            values['portal_forward_url'] = f'{document.access_url}/forward'
        return values

    def _get_forward_document(self, kind, document_id):
        """The document (sudo) the signed-in customer may forward, or 404."""
        model_name = FORWARD_DOCUMENTS.get(kind)
        if not model_name:
            raise request.not_found()
        try:
            document_sudo = self._document_check_access(model_name, document_id)
        except (AccessError, MissingError):
            raise request.not_found() from None
        if not document_sudo._portal_forward_allowed(request.env.user):
            raise request.not_found()
        if model_name == 'account.move' and (
            document_sudo.move_type not in ('out_invoice', 'out_refund') or document_sudo.state != 'posted'
        ):
            raise request.not_found()
        return document_sudo

    @http.route(
        '/my/<any(invoices,orders):kind>/<int:document_id>/forward',
        type='http',
        auth='user',
        methods=['GET', 'POST'],
        website=True,
        sitemap=False,
    )
    def portal_document_forward(self, kind, document_id, **post):
        """Forward a document (P9, C15): the form, and its sending (POST)."""
        request.env.user.partner_id._check_portal_permission('forward')  # A9: 403, nothing sent
        document_sudo = self._get_forward_document(kind, document_id)
        company = document_sudo.company_id.sudo()
        max_recipients = company.portal_forward_max_recipients
        env = request.env
        values = {
            **self._prepare_portal_layout_values(),
            'page_name': 'document_forward',
            'document': document_sudo,
            'max_recipients': max_recipients,
            'rows': [('', '')],
            'message': '',
            'texts': {
                'title': env._("Forward %s", document_sudo.display_name),
                'intro': env._(
                    "Each recipient gets an email from %s with the PDF and a link of their own, and becomes one "
                    "of your contact persons.",
                    company.name,
                ),
                'limit': env._("One recipient at a time.")
                if max_recipients == 1
                else env._("Up to %s recipients at a time.", max_recipients),
                'back': env._("Back to %s", document_sudo.display_name),
            },
        }
        if request.httprequest.method != 'POST':
            return request.render('customer_portal.portal_document_forward', values)
        form = request.httprequest.form
        names, emails = form.getlist('recipient_name'), form.getlist('recipient_email')
        rows = list(zip_longest(names, emails, fillvalue=''))[:MAX_FORM_ROWS]
        message = post.get('message') if isinstance(post.get('message'), str) else ''
        try:
            sent = document_sudo._portal_forward(request.env.user, rows, message)
        except UserError as error:
            values.update(
                {
                    'error_message': error.args[0],
                    'rows': [row for row in rows if any(row)][: company.portal_forward_max_recipients] or [('', '')],
                    'message': message.replace('\x00', ''),
                }
            )
            return request.render('customer_portal.portal_document_forward', values, status=400)
        values.update({'sent': sent, 'rows': [('', '')]})
        values['texts']['sent'] = env._("Sent to %s.", ', '.join(sent))
        return request.render('customer_portal.portal_document_forward', values)

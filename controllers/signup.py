# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.account_payment.controllers import payment, portal
from odoo.addons.payment import utils as payment_utils

from ..tools.tokens import is_well_formed_token

# P5: what the visitor's signed form says it may do (its token binds the invoice to this purpose only).
SIGNUP_TOKEN_PURPOSE = 'customer_portal_signup'


def _signup_offer_values(invoice_sudo):
    """The values of the "Create your portal account" offer of a public page showing ``invoice_sudo``,
    or {} when it is not offered (signed in, the setting off, not a customer document)."""
    if not request.env.user._is_public() or not invoice_sudo.company_id.portal_allow_signup:
        return {}
    if not invoice_sudo.is_sale_document() or invoice_sudo.state != 'posted':
        return {}
    return {
        'portal_signup_invoice_id': invoice_sudo.id,
        'portal_signup_token': payment_utils.generate_access_token(invoice_sudo.id, SIGNUP_TOKEN_PURPOSE),
    }


class PortalAccount(portal.PortalAccount):
    """P5 "Create your portal account" on the public invoice page, and its route (for the payment page too)."""

    def _invoice_get_page_view_values(self, invoice, access_token, **kwargs):
        # EXTENDS account_payment: the sign-up offer to a visitor with the invoice's link.
        values = super()._invoice_get_page_view_values(invoice, access_token, **kwargs)
        values.update(_signup_offer_values(invoice.sudo()))
        return values

    @http.route(
        '/my/invoices/<int:invoice_id>/signup',
        type='http',
        auth='public',
        methods=['POST'],
        website=True,
        sitemap=False,
    )
    def portal_invoice_signup(self, invoice_id, signup_token=None, **kw):
        """Send the invoice's customer (at its email on record, never one the visitor gives) an invitation."""
        invoice_sudo = request.env['account.move'].sudo().browse(invoice_id).exists()
        valid = (
            invoice_sudo
            and is_well_formed_token(signup_token)
            and payment_utils.check_access_token(signup_token, invoice_sudo.id, SIGNUP_TOKEN_PURPOSE)
        )
        if not valid or not _signup_offer_values(invoice_sudo):
            raise NotFound()
        status, email = invoice_sudo.partner_id.with_company(invoice_sudo.company_id)._portal_signup_invite()
        return request.render(
            'customer_portal.portal_signup_result',
            {'status': status, 'email': request.env['res.partner']._portal_mask_email(email), 'invoice': invoice_sudo},
        )


class PaymentPortal(payment.PaymentPortal):
    """P5: the payment-link page of an invoice offers the sign-up too."""

    def _get_extra_payment_form_values(self, invoice_id=None, **kwargs):
        # EXTENDS account_payment: once it has checked the link's token, the offer for the invoice paid.
        values = super()._get_extra_payment_form_values(invoice_id=invoice_id, **kwargs)
        invoice_id = self._cast_as_int(invoice_id)
        if invoice_id:
            values.update(_signup_offer_values(request.env['account.move'].sudo().browse(invoice_id)))
        return values

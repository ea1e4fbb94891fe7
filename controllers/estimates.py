from odoo import _, http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request
from odoo.osv import expression

from odoo.addons.customer_portal.controllers import sales_orders

# The longest decline reason kept: a reason is a few sentences, not a document.
DECLINE_REASON_MAX = 5000


class CustomerPortal(sales_orders.CustomerPortal):
    """/my/quotes (C9): the customer's estimates (quotations) with the Awaiting answer, Accepted,
    Declined and Expired filters; the home counts those awaiting an answer; a quotation is declined
    with a reason, which reaches the salesperson. Accepting, downloading, printing and comments are
    stock's (sale's quotation page)."""

    # ------------------------------------------------------------
    # The list and the home count
    # ------------------------------------------------------------

    def _prepare_quotations_domain(self, partner):
        # EXTENDS sale: the quotations the customer is asked to answer, sent and not expired (C9), which
        # the home counts ("Quotations to review") in the same single query as stock.
        return expression.AND(
            [
                super()._prepare_quotations_domain(partner),
                request.env['sale.order']._get_portal_awaiting_answer_domain(),
            ]
        )

    def _get_portal_estimates_list_domain(self, partner):
        """Every estimate of the customer company in /my/quotes, whatever its answer (stock's rule:
        the customer follows it)."""
        return [
            ('message_partner_ids', 'child_of', [partner.commercial_partner_id.id]),
            *request.env['sale.order']._get_portal_estimates_domain(),
        ]

    def _get_estimate_searchbar_filters(self):
        domains = request.env['sale.order']._get_portal_estimate_status_domains()
        labels = {
            'awaiting': _('Awaiting Answer'),
            'accepted': _('Accepted'),
            'declined': _('Declined'),
            'expired': _('Expired'),
        }
        return {
            'all': {'label': _('All'), 'domain': []},
            **{key: {'label': labels[key], 'domain': domain} for key, domain in domains.items()},
        }

    def _get_estimates_list_extra_values(self, quotations_sudo):
        """What the rows of /my/quotes show beside stock's: each estimate's answer."""
        return {'estimate_statuses': quotations_sudo._get_portal_estimate_statuses()}

    # ------------------------------------------------------------
    # Answering a quotation
    # ------------------------------------------------------------

    @http.route()
    def portal_quote_accept(self, order_id, access_token=None, name=None, signature=None):
        # EXTENDS sale: once accepted, a quotation of a company that hides sales orders (P12) is shown
        # in the Accepted estimates, its order page being refused. A contact who may not accept estimates
        # (A9) is refused with the reason, nothing signed.
        if not request.env.user.partner_id._has_portal_permission('approve'):
            return {'error': request.env.user.partner_id._get_portal_permission_error('approve')}
        result = super().portal_quote_accept(order_id, access_token=access_token, name=name, signature=signature)
        if isinstance(result, dict) and result.get('redirect_url'):
            order_sudo = request.env['sale.order'].sudo().browse(order_id)
            if not order_sudo._is_portal_order_shown() and not request.env.user._is_internal():
                result['redirect_url'] = '/my/quotes?filterby=accepted&message=accepted'
        return result

    def _get_payment_values(self, order_sudo, **kwargs):
        # EXTENDS sale: paying a quotation (Accept & Pay) of a company that hides sales orders (P12)
        # lands on the estimates, not on the order page it becomes, which is refused.
        values = super()._get_payment_values(order_sudo, **kwargs)
        if not request.env.user._is_internal() and not self._sales_orders_enabled(order_sudo.company_id):
            values['landing_route'] = '/my/quotes'
        return values

    @http.route()
    def portal_quote_decline(self, order_id, access_token=None, decline_message=None, **kwargs):
        # EXTENDS sale: a decline needs a reason (stock answered an empty one "not in a state to be
        # rejected"): without one, the customer is asked for it and nothing changes. The reason, which
        # stock posts on the chatter, reaches the salesperson, and the quotation is marked declined.
        request.env.user.partner_id._check_portal_permission('approve')  # A9: 403, nothing declined
        try:
            order_sudo = self._document_check_access('sale.order', order_id, access_token=access_token)
        except (AccessError, MissingError):
            return super().portal_quote_decline(order_id, access_token=access_token, decline_message=None, **kwargs)
        reason = decline_message.strip() if isinstance(decline_message, str) else ''
        if not order_sudo._has_to_be_signed():
            return super().portal_quote_decline(order_id, access_token=access_token, decline_message=None, **kwargs)
        if not reason:
            return request.redirect(order_sudo.get_portal_url(query_string='&message=decline_reason_missing'))
        order_sudo._prepare_portal_decline()
        response = super().portal_quote_decline(
            order_id, access_token=access_token, decline_message=reason[:DECLINE_REASON_MAX], **kwargs
        )
        if order_sudo.state == 'cancel':
            order_sudo._on_portal_declined()
        return response

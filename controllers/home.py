from odoo import http
from odoo.http import request
from odoo.osv.expression import AND

from odoo.addons.account.controllers import portal
from odoo.addons.customer_portal.tools.portal_sections import PORTAL_SECTION_COUNTERS
from odoo.addons.customer_portal.tools.request_cache import get_customer_ledger_partner_ids, request_cached


class PortalAccount(portal.PortalAccount):
    """The portal home, /my (P2, C1): the company's banner, the customer's balance summary, last
    payment, details and contacts, and the counters of our cards. The customer and invoice helpers
    (`_get_portal_customer`, `_get_customer_invoice_domain`, ...) live in controllers/invoices.py."""

    def _prepare_home_portal_values(self, counters):
        # EXTENDS account: counters of the credit notes (P13) and retainer invoices (C7) entries; those of a
        # section the customer may not see (P18, A9) are not counted.
        disabled = self._get_disabled_portal_counters()
        hidden = [counter for counter in counters if counter in disabled]
        counters = [counter for counter in counters if counter not in hidden]
        values = super()._prepare_home_portal_values(counters)
        values.update(dict.fromkeys(hidden, 0))
        Move = request.env['account.move']
        if 'credit_note_count' in counters:
            values['credit_note_count'] = (
                Move.search_count(
                    self._get_customer_invoice_domain(('out_refund',)),
                    limit=1,
                )
                if self._credit_notes_enabled() and Move.has_access('read')
                else 0
            )
        if 'retainer_invoice_count' in counters:
            values['retainer_invoice_count'] = (
                Move.search_count(
                    self._get_retainer_invoices_domain(),
                    limit=1,
                )
                if Move.has_access('read')
                else 0
            )
        return values

    def _get_portal_home_account_values(self):
        """Values of the home's balance summary, last payment, details and contacts (C1)."""
        user = request.env.user
        company = user.company_id
        customer = self._get_portal_customer()
        customer_sudo = customer.sudo()
        # The company's contacts (archived included), for the balance summary and the last payment.
        partner_ids = get_customer_ledger_partner_ids()
        # The contacts of every level in one query: address_get reads them one partner at a time.
        customer_sudo.browse(partner_ids).fetch(['child_ids'])
        addresses = customer_sudo.address_get(['invoice', 'delivery'])
        bulk_payment = company.sudo().portal_bulk_payment
        SaleOrder = request.env['sale.order']
        sections = self._get_portal_sections_visible()
        return {
            'portal_sections': sections,
            'portal_credit_notes_enabled': sections['credit_notes'],
            'balance_summary': customer_sudo._get_portal_balance_summary(company=company, partner_ids=partner_ids),
            'last_payment': request.env['account.payment']
            .sudo()
            ._get_portal_last_payment(customer_sudo, company=company, partner_ids=partner_ids),
            'portal_customer': customer_sudo,
            'portal_invoice_address': customer_sudo.browse(addresses['invoice']),
            'portal_delivery_address': customer_sudo.browse(addresses['delivery']),
            'portal_contact_persons': customer_sudo.child_ids.filtered(lambda p: p.type == 'contact'),
            'portal_business': company.sudo().partner_id,
            # One meaning of "outstanding" (the card's total): with bulk payments, one payment of all of
            # it; without, the list of those invoices, each with its Pay Now (stock's overdue page would
            # pay the past-due ones only, and several at once).
            'portal_pay_now_url': '/my/invoices/pay' if bulk_payment else '/my/invoices?filterby=unpaid',
            # The quotations awaiting the customer's answer (C9: _prepare_quotations_domain).
            'portal_estimates_count': self._count_portal_estimates(partner_ids)
            if SaleOrder.has_access('read') and sections['estimates']
            else 0,
        }

    def _count_portal_estimates(self, partner_ids):
        """The quotations of ``_prepare_quotations_domain``, counted with the customer company's contacts
        the home has read already (``partner_ids``, every level, archived included, as child_of finds them)."""
        user = request.env.user
        # Stock's leaf "followed by a contact of the customer company" costs 2 queries to expand the
        # contacts; with those read already, none.
        followed = ('message_partner_ids', 'child_of', [user.partner_id.commercial_partner_id.id])
        domain = [
            ('message_partner_ids', 'in', partner_ids) if leaf == followed else leaf
            for leaf in self._prepare_quotations_domain(user.partner_id)
        ]
        # sudo: the portal record rule on sale.order is that same leaf (it would expand the contacts a
        # second time); the company rule is the last leaf.
        return (
            request.env['sale.order']
            .sudo()
            .search_count(AND([domain, [('company_id', 'in', request.env.companies.ids)]]))
        )

    @http.route()
    def counters(self, counters, **kw):
        # EXTENDS portal: a counter of a section the customer may not see is 0 whatever the controller that
        # counts it (P18, A9), so that the page never shows its card. The names asked are a list of texts
        # (anything else asks for nothing: stock answered a 500).
        counters = [name for name in counters if isinstance(name, str)] if isinstance(counters, list) else []
        values = super().counters(counters, **kw)
        hidden = self._get_disabled_portal_counters()
        return {key: 0 if key in hidden else value for key, value in values.items()}

    @http.route()
    def home(self, **kw):
        # EXTENDS portal: the banner of the customer's company (P2), the customer's balance summary and
        # details (C1) on top of the home.
        response = super().home(**kw)
        if getattr(response, 'qcontext', None) is None:
            return response
        response.qcontext['portal_banner'] = request.env.user.company_id.sudo()._get_portal_banner()
        # A card of a feature that is off is never rendered, in any session: stock shows a card
        # whose counter was once non-zero in this session (portal_docs_entry's force_show) without
        # counting again, so forget those counters too.
        sections = self._get_portal_sections_visible()
        response.qcontext['portal_sections'] = sections
        response.qcontext['portal_credit_notes_enabled'] = sections['credit_notes']
        response.qcontext['portal_show_sales_orders'] = sections['sales_orders']
        disabled = self._get_disabled_portal_counters()
        response.qcontext['portal_hidden_counters'] = disabled
        cache = request.session.get('portal_counters') or {}
        if any(key in cache for key in disabled):
            request.session.portal_counters = {k: v for k, v in cache.items() if k not in disabled}
        # The cards of the customer's money and details come after the page (portal_home_account), as
        # stock's counters do: the home answers at stock's pace whatever the customer's history.
        response.qcontext['portal_home_account_url'] = '/my/account_summary' if request.env.user._is_portal() else None
        return response

    @http.route('/my/account_summary', type='json', auth='user', website=True, sitemap=False)
    def portal_home_account(self, counters=None, **kw):
        """The rest of the home, asked by its script once it is shown, in one request: the counters of its
        cards (stock's /my/counters, which portal.js would call up to three times) and the customer's
        balance summary, last payment, details and contacts (C1). Odoo's workers answer one request per
        connection: on the day everyone pays, each extra request of the home waits for a worker. A
        customer's only: an internal user has no customer account to show."""
        if not request.env.user._is_portal():
            raise request.not_found()
        return {
            'counters': self.counters(counters or []),
            'cards': request.env['ir.ui.view']._render_template(
                'customer_portal.portal_home_account', self._get_portal_home_account_values()
            ),
        }

    def _get_portal_sections_visible(self):
        """Section -> whether the caller sees it (P18: the company's switch; A9: the contact may view
        documents; an internal user previewing the portal sees sales orders, as their routes serve them).
        Worked out once per request: the home's page, counters and cards each ask."""
        return request_cached('sections_visible', self._compute_portal_sections_visible)

    def _compute_portal_sections_visible(self):
        user = request.env.user
        if user._is_internal():
            return user.company_id._get_portal_sections_enabled() | {'sales_orders': True}
        return user.partner_id._get_portal_sections_visible(user.company_id)

    def _get_disabled_portal_counters(self):
        """Counters of the home's cards whose section the caller may not see."""
        visible = self._get_portal_sections_visible()
        return [
            counter
            for section, names in PORTAL_SECTION_COUNTERS.items()
            if not visible.get(section)
            for counter in names
        ]

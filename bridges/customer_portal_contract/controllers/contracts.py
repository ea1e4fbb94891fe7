# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request
from odoo.osv import expression

from odoo.addons.contract.controllers import main
from odoo.addons.customer_portal.controllers.portal_list import _parse_page

# The keys of contract's searchbar_sortings in /my/contracts: another key is a KeyError (a 500) there.
CONTRACT_SORTINGS = ('date', 'name', 'code')
MAX_ID = 2**31 - 1  # a larger id in the URL is no record; PostgreSQL would refuse it as an integer


def subscriptions_enabled(company):
    """Does ``company`` show its customers their subscriptions (P15)? Internal users keep contract's pages."""
    # P18: the core's one answer (the company's switch), and the contact may view documents (A9).
    user = request.env.user
    return user._is_internal() or user.partner_id._is_portal_section_visible('subscriptions', company)


class PortalContract(main.PortalContract):
    """Subscriptions (P15, C11) on contract's own pages, /my/contracts and /my/contracts/<id>: refused (404)
    unless the company shows them; the customer company's sale contracts, each with its lines, recurrence,
    next invoice date, state and the invoices made from it."""

    def _prepare_home_portal_values(self, counters):
        # EXTENDS contract: the customer company's subscriptions; none while the feature is off.
        values = super()._prepare_home_portal_values(counters)
        if 'contract_count' in counters and not request.env.user._is_internal():
            Contract = request.env['contract.contract']
            enabled = subscriptions_enabled(request.env.user.company_id) and Contract.has_access('read')
            values['contract_count'] = Contract.search_count(self._get_filter_domain({})) if enabled else 0
        return values

    def _get_filter_domain(self, kw):
        # EXTENDS contract: a portal contact lists its customer company's sale contracts, not only those
        # it follows (contract's portal rule), as every list of the portal shows the company's documents.
        domain = super()._get_filter_domain(kw)
        user = request.env.user
        if user._is_internal():
            return domain
        return expression.AND(
            [domain, request.env['contract.contract']._get_portal_subscription_domain(user.partner_id)]
        )

    @http.route()
    def portal_my_contracts(self, page=1, date_begin=None, date_end=None, sortby=None, **kw):
        # EXTENDS contract: 404 while the company does not show subscriptions; a page or a sorting that is
        # none (?page=x, ?sortby=x) falls back to the default instead of a 500; each contract's invoices.
        if not subscriptions_enabled(request.env.user.company_id):
            raise request.not_found()
        sortby = sortby if sortby in CONTRACT_SORTINGS else None
        response = super().portal_my_contracts(
            page=_parse_page(page), date_begin=date_begin, date_end=date_end, sortby=sortby, **kw
        )
        qcontext = getattr(response, 'qcontext', None)
        if qcontext is not None and 'contracts' in qcontext:
            # sudo, as contract's own contract page: a contract's currency comes from its journal, which
            # portal users may not read. These are the contracts the caller's search found.
            contracts_sudo = qcontext['contracts'].sudo()
            qcontext.update(contracts=contracts_sudo, portal_contract_invoices=contracts_sudo._get_portal_invoices())
        return response

    @http.route()
    def portal_my_contract_detail(self, contract_contract_id, access_token=None, **kw):
        # EXTENDS contract: 404 while the company does not show subscriptions, and for a contract the caller
        # may not see (contract redirects to /my, as if the link had merely expired).
        if not subscriptions_enabled(request.env.user.company_id) or contract_contract_id > MAX_ID:
            raise request.not_found()
        try:
            contract_sudo = self._document_check_access('contract.contract', contract_contract_id, access_token)
        except (AccessError, MissingError):
            raise request.not_found() from None
        if not subscriptions_enabled(contract_sudo.company_id):
            raise request.not_found()
        return super().portal_my_contract_detail(contract_contract_id, access_token=access_token, **kw)

    def _contract_get_page_view_values(self, contract, access_token, **kwargs):
        # EXTENDS contract: the invoices made from the contract (C11).
        values = super()._contract_get_page_view_values(contract, access_token, **kwargs)
        values['portal_contract_invoices'] = contract._get_portal_invoices()[contract.id]
        return values

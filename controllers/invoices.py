from odoo import _, fields, http
from odoo.exceptions import UserError
from odoo.http import request
from odoo.osv import expression
from odoo.tools import formatLang

from odoo.addons.account_payment.controllers import portal
from odoo.addons.customer_portal.controllers.payment import get_bulk_payment_invoices_sudo
from odoo.addons.customer_portal.tools.request_cache import get_customer_ledger_partner_ids

# Former names of the /my/invoices filters, in links already sent: stock's "Overdue invoices" filter
# was the same list as our Past Due tab; "outstanding" was the former key of the Outstanding tab.
INVOICE_FILTER_ALIASES = {'overdue_invoices': 'overdue', 'outstanding': 'unpaid'}


class PortalAccount(portal.PortalAccount):
    """/my/invoices (C2): the Outstanding / Past Due / All tabs, sortings and filters, the rows' bulk
    selection (P10); the invoice page's payment in progress (P4) and partial amount (C2); the bulk
    payment page /my/invoices/pay (P10, C3) and stock's /my/invoices/overdue. Also the customer and
    invoice helpers that every page of ours asks (home, statement, retainer invoices, credit notes)."""

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _get_portal_customer(self):
        """The customer company of the caller: the scope of every figure, never a parameter."""
        return request.env.user.partner_id.commercial_partner_id

    def _credit_notes_enabled(self, company=None):
        return (company or request.env.user.company_id)._is_portal_section_enabled('credit_notes')

    def _get_customer_invoice_domain(self, move_types=('out_invoice', 'out_receipt')):
        return [
            ('state', '=', 'posted'),
            ('move_type', 'in', move_types),
            # The customer company and its contacts, as child_of would find them (read once per request).
            ('partner_id', 'in', get_customer_ledger_partner_ids()),
        ]

    def _get_retainer_invoice_ids(self):
        customer_sudo = self._get_portal_customer().sudo()  # sudo: the down-payment lines of their orders
        return customer_sudo._get_portal_retainer_invoice_ids(
            company=request.env.user.company_id, partner_ids=get_customer_ledger_partner_ids()
        )

    def _get_retainer_invoices_domain(self):
        return self._get_customer_invoice_domain(('out_invoice',)) + [('id', 'in', self._get_retainer_invoice_ids())]

    # ------------------------------------------------------------
    # /my/invoices (C2)
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
        # EXTENDS account: the Outstanding (unpaid) and Past Due tabs (C2) and the payment filters.
        # "Outstanding" means unpaid everywhere (home card, its link, the tab, the bulk page); what is
        # past its due date is called "Past Due", and replaces stock's "Overdue invoices" filter.
        filters = super()._get_account_searchbar_filters()
        filters.pop('overdue_invoices', None)
        Move = request.env['account.move']
        invoices = [('move_type', 'in', ('out_invoice', 'out_receipt'))]
        filters.update(
            {
                'paid': {'label': _('Paid'), 'domain': invoices + Move._get_portal_paid_domain()},
                'unpaid': {'label': _('Outstanding'), 'domain': invoices + Move._get_portal_unpaid_domain()},
                'overdue': {'label': _('Past Due'), 'domain': invoices + Move._get_portal_past_due_domain()},
                'partial': {'label': _('Partially Paid'), 'domain': invoices + [('payment_state', '=', 'partial')]},
            }
        )
        return filters

    @http.route()
    def portal_my_invoices(self, page=1, date_begin=None, date_end=None, sortby=None, filterby=None, **kw):
        # EXTENDS account: unknown sort or filter keys fall back to the defaults instead of a 500.
        if sortby not in self._get_account_searchbar_sortings():
            sortby = None
        filterby = INVOICE_FILTER_ALIASES.get(filterby, filterby)
        if filterby not in self._get_account_searchbar_filters():
            filterby = None
        return super().portal_my_invoices(
            page=page, date_begin=date_begin, date_end=date_end, sortby=sortby, filterby=filterby, **kw
        )

    def _prepare_my_invoices_values(
        self, page, date_begin, date_end, sortby, filterby, domain=None, url='/my/invoices'
    ):
        # EXTENDS account: the Outstanding / Past Due / All tabs, the retainer badge (C2, C7) and,
        # with bulk payments (P10), the column where the customer selects the invoices to "Pay
        # selected". What each row shows beside stock's (may it be selected, is a payment of it in
        # progress) comes from account.move._get_invoice_portal_extra_values.
        values = super()._prepare_my_invoices_values(
            page, date_begin, date_end, sortby, filterby, domain=domain, url=url
        )
        # A9: no selection to pay for a contact who may not pay.
        may_pay = request.env['res.partner']._portal_user_may('pay')
        values['portal_bulk_payment'] = bool(request.env.user.company_id.portal_bulk_payment) and may_pay
        if url == '/my/invoices':
            values.update(
                {
                    'invoice_tab': values.get('filterby') if values.get('filterby') in ('unpaid', 'overdue') else 'all',
                    'retainer_invoice_ids': self._get_retainer_invoice_ids(),
                }
            )
        return values

    # ------------------------------------------------------------
    # Invoice page (P4, C2)
    # ------------------------------------------------------------

    def _invoice_get_page_view_values(self, invoice, access_token, **kwargs):
        # EXTENDS account_payment: the payment in progress (P4) and the partial amount (C2).
        values = super()._invoice_get_page_view_values(invoice, access_token, **kwargs)
        values.update(
            {
                'portal_pending_tx': invoice._get_portal_pending_transaction(),
                'portal_allow_partial_payment': invoice.allow_partial_payment and invoice._has_to_be_paid(),
            }
        )
        if values['portal_allow_partial_payment']:
            values.update(self._get_portal_partial_amount_values(invoice, values.get('amount_due')))
        return values

    def _get_portal_partial_amount_values(self, invoice, amount):
        """The amount field of a partial payment (C2): the amount written as the customer reads
        amounts (decimal places of the invoice currency, separators of their language), and what
        the page script needs to read a typed amount and to show it in the payment summary."""
        currency = invoice.currency_id
        lang = request.env['res.lang']._get_data(code=request.env.lang or 'en_US')
        amount = currency.round(amount if isinstance(amount, (int, float)) else invoice.amount_residual)
        return {
            'portal_partial_amount_text': formatLang(request.env, amount, digits=currency.decimal_places),
            'portal_partial_amount_format': {
                'data-digits': currency.decimal_places,
                'data-decimal-point': lang.decimal_point or '.',
                'data-thousands-sep': lang.thousands_sep or '',
                'data-symbol': currency.symbol,
                'data-position': currency.position,
                'data-max': currency.round(invoice.amount_residual),
            },
        }

    # ------------------------------------------------------------
    # Paying several invoices: /my/invoices/overdue, /my/invoices/pay (P10, C3)
    # ------------------------------------------------------------

    @http.route()
    def portal_my_overdue_invoices(self, access_token=None, **kw):
        # EXTENDS account_payment: with bulk payments, "Pay Now" pays every unpaid invoice.
        if not request.env.user._is_public() and request.env.user.company_id.portal_bulk_payment:
            return request.redirect('/my/invoices/pay')
        return super().portal_my_overdue_invoices(access_token=access_token, **kw)

    @http.route('/my/invoices/pay', type='http', auth='user', methods=['GET'], website=True, sitemap=False)
    def portal_bulk_payment(self, invoice_ids=None, **kw):
        """Pay the chosen invoices (``invoice_ids``, comma separated) or, without them, every
        unpaid invoice of the customer company, in one payment (P10, C3)."""
        user = request.env.user
        if not user.company_id.portal_bulk_payment:
            raise request.not_found()
        values = self._prepare_portal_layout_values()
        values['page_name'] = 'bulk_payment'
        try:
            if invoice_ids:
                invoices_sudo = get_bulk_payment_invoices_sudo(invoice_ids)
            else:
                invoices_sudo, values['portal_invoices_in_progress'] = request.env[
                    'account.move'
                ]._get_portal_payable_invoices_split(user.partner_id)
                if invoices_sudo:
                    invoices_sudo._check_portal_payable_by(user.partner_id)
        except UserError as error:
            values['error_message'] = error.args[0]
            return request.render('customer_portal.portal_bulk_payment', values, status=400 if invoice_ids else 200)
        if not invoices_sudo:
            values['error_message'] = (
                request.env._("Every invoice you owe has a payment in progress.")
                if values.get('portal_invoices_in_progress')
                else request.env._("You have no invoice to pay.")
            )
            return request.render('customer_portal.portal_bulk_payment', values)
        values.update(self._bulk_payment_get_page_view_values(invoices_sudo, **kw))
        return request.render('customer_portal.portal_bulk_payment', values)

    def _bulk_payment_get_page_view_values(self, invoices_sudo, **kwargs):
        currency = invoices_sudo.currency_id
        total = invoices_sudo._get_portal_bulk_payment_amount()
        values = self._get_common_page_view_values(
            invoices_data={
                'partner': request.env.user.partner_id,
                'company': invoices_sudo.company_id,
                'total_amount': total,
                'currency': currency,
                'amount_residual': total,
                'landing_route': '/my/payments',
                'transaction_route': '/my/invoices/pay/transaction',
            },
        )
        values.update(
            {
                'invoices': invoices_sudo,
                'amount': total,
                'currency': currency,
                'portal_invoice_ids': ','.join(str(invoice_id) for invoice_id in invoices_sudo.ids),
                'payment_date': fields.Date.context_today(request.env.user),
            }
        )
        return values

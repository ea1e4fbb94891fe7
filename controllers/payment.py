import math

from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request, route

from odoo.addons.account_payment.controllers import payment as payment_portal
from odoo.addons.payment import utils as payment_utils

# Session key of the amounts set by the business in payment links (/payment/pay), per invoice id.
PAYMENT_LINK_AMOUNTS_KEY = 'customer_portal_payment_link_amounts'


def _parse_invoice_ids(invoice_ids):
    """Invoice ids from "1,2,3" or [1, 2, 3]; None when malformed."""
    if isinstance(invoice_ids, str):
        invoice_ids = [part.strip() for part in invoice_ids.split(',') if part.strip()]
    if not isinstance(invoice_ids, list) or not invoice_ids or len(invoice_ids) > 1000:
        return None
    ids = []
    for invoice_id in invoice_ids:
        if isinstance(invoice_id, bool):
            return None
        if isinstance(invoice_id, str) and invoice_id.isascii() and invoice_id.isdigit():
            invoice_id = int(invoice_id)
        if not isinstance(invoice_id, int) or not 0 < invoice_id < 2**31:
            return None
        ids.append(invoice_id)
    return list(dict.fromkeys(ids))


def get_bulk_payment_invoices_sudo(invoice_ids):
    """The invoices named by the request (sudo), all of them paid by the caller or none (P10)."""
    ids = _parse_invoice_ids(invoice_ids)
    if ids is None:
        raise UserError(request.env._("The selection of invoices is not valid."))
    # sudo: the invoices of the caller's colleagues too; _check_portal_payable_by is the access check.
    invoices_sudo = request.env['account.move'].sudo().browse(ids).exists()
    if len(invoices_sudo) != len(ids):
        raise UserError(request.env._("You cannot pay one of the selected invoices."))
    invoices_sudo._check_portal_payable_by(request.env.user.partner_id)
    return invoices_sudo


def _is_record_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


def _is_text(value):
    return isinstance(value, str) and '\x00' not in value


class PaymentPortal(payment_portal.PaymentPortal):
    """The routes that create payment transactions of invoices: one invoice (/invoice/transaction),
    stock's past-due invoices (/invoice/transaction/overdue), a payment link (/payment/pay) and
    several invoices at once (/my/invoices/pay/transaction, P10). The amounts are computed or checked
    here, on the server (C2, C3); the duplicate-payment guard (P4) is payment.transaction.create's."""

    def _process_transaction(self, partner_id, currency_id, invoice_ids, payment_reference, **kwargs):
        # EXTENDS account_payment: every invoice payment route of ours (single, overdue, bulk) ends
        # here. why: stock hands the values sent by the page to browse() and to the database
        # unchecked, so "abc", [1, 2] or a NUL byte answered a server error, and is_validation made
        # a transaction of 0.00 linked to the invoices (which then looked "in progress", P4).
        valid = (
            (payment_reference is None or payment_reference is False or _is_text(payment_reference))
            and _is_record_id(kwargs.get('provider_id'))
            and _is_record_id(kwargs.get('payment_method_id'))
            and (kwargs.get('token_id') is None or _is_record_id(kwargs.get('token_id')))
            and kwargs.get('flow') in ('redirect', 'direct', 'token')
            and isinstance(kwargs.get('tokenization_requested'), bool)
            and _is_text(kwargs.get('landing_route'))
            and not kwargs.get('is_validation')
        )
        if not valid:
            raise ValidationError(request.env._("The payment request is not valid. Reload the page and try again."))
        return super()._process_transaction(partner_id, currency_id, invoice_ids, payment_reference, **kwargs)

    def _create_transaction(self, *args, is_validation=False, **kwargs):
        # EXTENDS payment: every payment the portal starts (an invoice, several, an order, a payment link)
        # needs the contact's permission to pay (A9); saving a card (validation) pays nothing.
        if not is_validation:
            request.env.user.partner_id._check_portal_permission('pay')
        return super()._create_transaction(*args, is_validation=is_validation, **kwargs)

    @route()
    def invoice_transaction(self, invoice_id, access_token=None, **kwargs):
        # EXTENDS account_payment: the amount is checked on the server (C2); stock trusts it.
        # why: a request without access_token was a TypeError (server error) in the stock signature,
        # and a non-string one (true, -1, [1, 2]) a TypeError in consteq: both are an invalid token.
        if access_token is not None and not isinstance(access_token, str):
            raise ValidationError(request.env._("The access token is invalid.")) from None
        request.env.user.partner_id._check_portal_permission('pay')  # A9, before stock's "cannot be paid"
        try:
            invoice_sudo = self._document_check_access('account.move', invoice_id, access_token)
        except MissingError:
            raise
        except AccessError:
            raise ValidationError(request.env._("The access token is invalid.")) from None
        link_amounts = request.session.get(PAYMENT_LINK_AMOUNTS_KEY) or {}
        allowed_amounts = [link_amounts[str(invoice_id)]] if str(invoice_id) in link_amounts else []
        kwargs['amount'] = invoice_sudo._get_portal_payment_amount(kwargs.get('amount'), allowed_amounts)
        return super().invoice_transaction(invoice_id, access_token, **kwargs)

    @route()
    def overdue_invoices_transaction(self, payment_reference, **kwargs):
        # EXTENDS account_payment: the overdue invoices of the caller are checked like a bulk
        # payment (P4 included) and the amount is their residual, whatever the page sent.
        if request.env.user._is_public():
            raise ValidationError(request.env._("Please log in to pay your overdue invoices"))
        # sudo: the check reads the invoices' payment transactions, which portal users cannot.
        invoices_sudo = request.env['account.move'].search(self._get_overdue_invoices_domain()).sudo()
        invoices_sudo._check_portal_payable_by(request.env.user.partner_id)
        kwargs['amount'] = invoices_sudo._get_portal_bulk_payment_amount()
        return super().overdue_invoices_transaction(payment_reference, **kwargs)

    @route()
    def payment_pay(self, *args, amount=None, invoice_id=None, access_token=None, **kwargs):
        # EXTENDS account_payment: a payment link of an invoice whose payment is in progress
        # shows that payment instead of the form (P4); the amount of a valid link is remembered
        # so that the transaction route accepts it; a link asking for more than is still due
        # charges the amount due, and says so.
        kwargs.pop('portal_payment_link_notice', None)  # set here only, never by the URL
        # sudo: anyone with the link opens it; its access token is checked below, as stock does.
        invoice_sudo = request.env['account.move'].sudo().browse(self._cast_as_int(invoice_id) or []).exists()
        link_amount = self._cast_as_float(amount)
        if link_amount is not None and not math.isfinite(link_amount):
            # why: stock float_round() fails with a 500 on NaN / inf ("1e999", 4 kB of digits); a
            # malformed amount is skipped, as stock does with the other malformed parameters.
            amount = link_amount = None
        if invoice_sudo and payment_utils.check_access_token(
            access_token, invoice_sudo.partner_id.id, link_amount, invoice_sudo.currency_id.id
        ):
            pending_tx_sudo = invoice_sudo._get_portal_pending_transaction()
            if pending_tx_sudo:
                return request.render(
                    'customer_portal.portal_payment_in_progress',
                    {
                        'invoice': invoice_sudo,
                        'pending_tx': pending_tx_sudo,
                        'message': invoice_sudo._get_portal_payment_in_progress_message(pending_tx_sudo),
                    },
                )
            capped_amount, notice = invoice_sudo._get_portal_payment_link_amount(link_amount)
            if notice:
                # The token of the link signs its amount: the amount due gets a token of its own.
                amount = link_amount = capped_amount
                access_token = payment_utils.generate_access_token(
                    invoice_sudo.partner_id.id, link_amount, invoice_sudo.currency_id.id
                )
                kwargs['portal_payment_link_notice'] = notice
            if link_amount:
                link_amounts = dict(request.session.get(PAYMENT_LINK_AMOUNTS_KEY) or {})
                link_amounts[str(invoice_sudo.id)] = link_amount
                request.session[PAYMENT_LINK_AMOUNTS_KEY] = link_amounts
        return super().payment_pay(*args, amount=amount, invoice_id=invoice_id, access_token=access_token, **kwargs)

    def _get_extra_payment_form_values(self, portal_payment_link_notice=None, **kwargs):
        # EXTENDS account_payment: the notice of a payment link capped to the amount due.
        values = super()._get_extra_payment_form_values(**kwargs)
        if portal_payment_link_notice:
            values['portal_payment_link_notice'] = portal_payment_link_notice
        return values

    @route('/my/invoices/pay/transaction', type='json', auth='user')
    def portal_bulk_payment_transaction(self, invoice_ids=None, amount=None, currency_id=None, **kwargs):
        """Create the transaction paying several invoices at once (P10, C3) and return its
        processing values. The amount is the sum of their residuals, computed here."""
        company = request.env.user.company_id
        if not company.portal_bulk_payment:
            raise request.not_found()
        invoices_sudo = get_bulk_payment_invoices_sudo(invoice_ids)
        currency = invoices_sudo.currency_id
        if currency_id is not None and currency_id != currency.id:
            raise UserError(request.env._("The invoices must be paid in %s.", currency.name))
        total = invoices_sudo._get_portal_bulk_payment_amount()
        Transaction = request.env['payment.transaction']
        if currency.compare_amounts(Transaction._parse_portal_payment_amount(amount), total) != 0:
            raise UserError(
                request.env._(
                    "The amount to pay is %(amount)s. Reload the page and try again.",
                    amount=currency.format(total),
                )
            )
        self._validate_transaction_kwargs(kwargs)
        reference = Transaction._get_portal_batch_payment_reference() if len(invoices_sudo) > 1 else None
        return self._process_transaction(
            request.env.user.partner_id.id,
            currency.id,
            invoices_sudo.ids,
            reference,
            amount=total,
            **kwargs,
        )

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Stock portal pages every customer uses, kept from answering 500 to a malformed request (issue 21).

Tokens are made safe for every route in one place: ir.http._dispatch (models/ir_http.py).
"""

from odoo import http
from odoo.http import request

from odoo.addons.account_payment.controllers import portal

# Parameters the stock payment form hands to the provider lookup by name: the same name in the
# query string is a second value for them (TypeError, "got multiple values for argument").
INVOICE_PAGE_RESERVED_PARAMS = ('partner_id', 'company_id', 'currency_id', 'report', 'invoices_data')
# The address form's record fields and their model.
ADDRESS_FORM_RECORD_FIELDS = (('country_id', 'res.country'), ('state_id', 'res.country.state'))


def _drop_params(kw, names):
    for name in names:
        kw.pop(name, None)
    return kw


def _parse_form_record_id(value):
    """An id sent by a form (ASCII digits in the range of the database's integers), or None."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        record_id = int(value)
        if 0 < record_id < 2**31:
            return record_id
    return None


class PortalAccount(portal.PortalAccount):
    @http.route()
    def portal_my_invoice_detail(self, invoice_id, **kw):
        # EXTENDS account_payment: a duplicate of a value the payment form computes (partner_id in
        # the query string) is ignored instead of answering 500.
        return super().portal_my_invoice_detail(invoice_id, **_drop_params(kw, INVOICE_PAGE_RESERVED_PARAMS))

    @http.route()
    def portal_my_overdue_invoices(self, access_token=None, **kw):
        # EXTENDS account_payment: same as the invoice page (its payment form, same lookup).
        return super().portal_my_overdue_invoices(
            access_token=access_token, **_drop_params(kw, INVOICE_PAGE_RESERVED_PARAMS)
        )

    @http.route()
    def payment_method(self, **kwargs):
        # EXTENDS payment: the page takes no parameter; stock handed the query string to the
        # provider lookup, where partner_id was a second value (TypeError) and currency_id=abc
        # reached SQL: both a 500. Nothing of the query string is passed on.
        return super().payment_method()

    def details_form_validate(self, data, partner_creation=False):
        # EXTENDS portal: stock int()s the country and state sent by the form, in the VAT check
        # and in the template shown again with the form's errors: a value that is not an id was
        # a 500; an id of no record reached partner.write() and failed there. Such a value is
        # refused with the form's error message, and the form shows the saved value again.
        env = request.env
        partner = env.user.partner_id
        data.setdefault('country_id', '')
        invalid = []
        country_sudo = env['res.country'].sudo()
        for field_name, model in ADDRESS_FORM_RECORD_FIELDS:
            value = data.get(field_name)
            if value in (None, ''):
                continue
            record_id = _parse_form_record_id(value)
            # sudo: only whether the id names a record (and the state's country) is read.
            record_sudo = env[model].sudo().browse(record_id).exists() if record_id else env[model].sudo()
            if field_name == 'country_id':
                country_sudo = record_sudo
            elif record_sudo and country_sudo and record_sudo.country_id != country_sudo:
                record_sudo = env[model].sudo()
            if not record_sudo:
                data[field_name] = ''
                if field_name != 'country_id' or partner_creation or partner.can_edit_vat():
                    invalid.append(field_name)
        text_fields = [
            name
            for name in self._get_mandatory_fields() + self._get_optional_fields()
            if isinstance(data.get(name), str) and '\x00' in data[name]
        ]
        for field_name in text_fields:
            data[field_name] = data[field_name].replace('\x00', '')
        error, error_message = super().details_form_validate(data, partner_creation=partner_creation)
        for field_name in invalid:
            error[field_name] = 'error'
        if invalid:
            error_message.append(env._("Choose your country and your state from the lists."))
        if text_fields:
            # why: PostgreSQL refuses text with a NUL byte (a 500 on saving).
            for field_name in text_fields:
                error[field_name] = 'error'
            error_message.append(env._("Some fields hold characters that are not allowed."))
        return error, error_message

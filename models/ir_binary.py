# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo import models
from odoo.exceptions import MissingError
from odoo.http import request


class IrBinary(models.AbstractModel):
    _inherit = 'ir.binary'

    def _find_record(self, xmlid=None, res_model='ir.attachment', res_id=None, access_token=None, field=None):
        # EXTENDS base: /web/content and /web/image of a document whose public link asks for a code
        # (P14), or of one of its attachments (its PDF, the files of its chatter), are refused until
        # that code was entered in this browser session, whatever token the URL carries.
        record = super()._find_record(
            xmlid=xmlid, res_model=res_model, res_id=res_id, access_token=access_token, field=field
        )
        if self.env.su or self.env.user._is_internal():
            return record
        Code = self.env['customer_portal.identity.code']
        # prefetch_fields=False: only the fields read here are cached. A prefetch as superuser would cache
        # the attachment's name, mimetype and file location, which /web/content then reads as the visitor
        # without any access check (stock refuses a visitor a private attachment when it reads them).
        record_sudo = record.sudo().with_context(prefetch_fields=False)
        document = record_sudo
        if record_sudo._name == 'ir.attachment':
            model = record_sudo.res_model
            if model not in ('account.move', 'sale.order') or not record_sudo.res_id:
                return record
            document = self.env[model].sudo().browse(record_sudo.res_id).exists()
        if Code._is_locked(document, request.session if request else None):
            raise MissingError(self.env._("This document is available once you have entered the code sent to you."))
        return record

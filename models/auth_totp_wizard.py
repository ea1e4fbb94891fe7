# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo import _, api, models
from odoo.exceptions import AccessError

from ..tools import totp


class AuthTotpWizard(models.TransientModel):
    _inherit = 'auth_totp.wizard'

    # The wizard is the enrollment of a signed-in user (/my/security, preferences). Its secret is
    # a field of a record the user may create and write by RPC: a secret sent by the client would
    # be enabled as is (security.md "Sign-in and MFA"). It is always made here, on the server.

    @api.model_create_multi
    def create(self, vals_list):
        # EXTENDS auth_totp: whatever secret is given, a new one from the server is used.
        for vals in vals_list:
            vals['secret'] = totp.format_secret(totp.generate_secret())
        return super().create(vals_list)

    def write(self, vals):
        # EXTENDS auth_totp: the secret can only be emptied (as auth_totp does once enabled).
        if vals.get('secret'):
            raise AccessError(_("The key of an authenticator app is made by the server."))
        return super().write(vals)

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo import models
from odoo.tools import SQL

from odoo.addons.base.models.res_users import INDEX_SIZE


class AuthTotpDevice(models.Model):
    _inherit = 'auth_totp.device'

    def _check_credentials_for_uid(self, *, scope, key, uid):
        # EXTENDS auth_totp: a remembered device of a portal user under enforced MFA is trusted
        # only as the company allows now (never, or for N days since it was remembered), not
        # for the lifetime it was given when it was remembered.
        matched = super()._check_credentials_for_uid(scope=scope, key=key, uid=uid)
        if not matched or scope != 'browser':
            return matched
        lifetime = self.env['res.users'].sudo().browse(uid)._portal_mfa_device_lifetime()
        if lifetime is None:
            return False
        # The device that matched is the one of this user with the key's index.
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM auth_totp_device WHERE user_id = %s AND scope = %s AND index = %s "
                "AND create_date >= (now() AT TIME ZONE 'utc') - %s",
                uid,
                scope,
                key[:INDEX_SIZE],
                lifetime,
            )
        )
        return bool(self.env.cr.fetchone())

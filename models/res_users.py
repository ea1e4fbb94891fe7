# Part of customer_portal. See LICENSE file for full copyright and licensing details.
import logging
from datetime import timedelta

from odoo import _, fields, models
from odoo.exceptions import AccessDenied, UserError

from odoo.addons.auth_totp.controllers.home import TRUSTED_DEVICE_AGE
from odoo.addons.base.models.res_users import check_identity

from ..tools import totp

_logger = logging.getLogger(__name__)

# _mfa_type of a portal user who must set up an authenticator app before signing in (P3, M1).
MFA_TYPE_ENROLL = 'portal_totp_enroll'
MFA_ENROLL_URL = '/web/login/totp/enroll'
# _mfa_type of auth_totp_mail_enforce (codes sent by email), which it sets for users without an app.
MFA_TYPE_MAIL = 'totp_mail'


class ResUsers(models.Model):
    _inherit = 'res.users'

    # Step of the last accepted TOTP code: that step and earlier ones are refused (no replay).
    totp_last_step = fields.Integer(copy=False, groups=fields.NO_ACCESS)
    portal_mfa_enforced = fields.Boolean(
        string="Portal MFA Enforced",
        compute='_compute_portal_mfa_enforced',
        help="The company of this portal user requires an authenticator app to sign in.",
    )
    portal_mfa_setup_date = fields.Datetime(
        string="MFA Set Up On",
        copy=False,
        readonly=True,
        help="When this user last set up an authenticator app (empty when they have none).",
    )
    portal_mfa_backup_code_count = fields.Integer(
        string="Backup Codes Left",
        compute='_compute_portal_mfa_backup_code_count',
    )

    def _get_portal_domain_company(self):
        # EXTENDS customer_portal (models/base.py): a portal user's links go to its company's portal domain (P19);
        # an employee's stay on the base URL.
        return self.sudo().company_id if self.share else self.env['res.company']

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + ['portal_mfa_enforced', 'portal_mfa_backup_code_count']

    def _compute_portal_mfa_enforced(self):
        for user in self:
            user.portal_mfa_enforced = user._portal_mfa_is_enforced()

    def _compute_portal_mfa_backup_code_count(self):
        counts = dict(
            self.env['res.users.backup.code']
            .sudo()
            ._read_group(
                [('user_id', 'in', self.ids), ('used_date', '=', False)],
                ['user_id'],
                ['__count'],
            )
        )
        for user in self:
            user.portal_mfa_backup_code_count = counts.get(user._origin, 0)

    # ------------------------------------------------------------------
    # Enforcement (P3, M1, M5, M6)
    # ------------------------------------------------------------------

    def _portal_mfa_is_enforced(self):
        """Whether this is a portal user of a company that enforces MFA (employees never are)."""
        self.ensure_one()
        user = self.sudo()
        return bool(user.id and user.share and user._is_portal() and user.company_id.portal_enforce_mfa)

    def _portal_mfa_must_enroll(self):
        self.ensure_one()
        return self._portal_mfa_is_enforced() and not self.sudo().totp_enabled

    def _mfa_type(self):
        # EXTENDS auth_totp: with P3 on, a portal user without TOTP must enroll before the session
        # is finalized, so the password alone never signs them in (every way in, M6). A code sent
        # by email (auth_totp_mail_enforce) does not replace the app their company requires.
        mfa_type = super()._mfa_type()
        if mfa_type in (None, MFA_TYPE_MAIL) and self._portal_mfa_must_enroll():
            return MFA_TYPE_ENROLL
        return mfa_type

    def _mfa_url(self):
        # EXTENDS auth_totp
        url = super()._mfa_url()
        if url is None and self._mfa_type() == MFA_TYPE_ENROLL:
            return MFA_ENROLL_URL
        return url

    def _rpc_api_keys_only(self):
        # EXTENDS auth_totp: no password-based RPC for users whose company enforces MFA, even
        # before they enrolled.
        self.ensure_one()
        return super()._rpc_api_keys_only() or self._portal_mfa_is_enforced()

    # ------------------------------------------------------------------
    # Code checks (M3): replay-proof, throttled per account
    # ------------------------------------------------------------------

    def _portal_mfa_check_code(self, code, allow_backup_code=True):
        """Check a second-factor code typed by this user: a TOTP code or, when allowed, a
        backup code. Return 'totp' or 'backup_code'; raise AccessDenied otherwise."""
        self.ensure_one()
        with self.env['res.users.mfa.attempt']._throttle(self):
            if self._totp_burn_code(code) is not None:
                _logger.info("2FA check: SUCCESS for %s", self)
                return 'totp'
            if allow_backup_code and self._portal_mfa_use_backup_code(code):
                _logger.info("2FA check: SUCCESS (backup code) for %s", self)
                return 'backup_code'
            _logger.info("2FA check: FAIL for %s", self)
            raise AccessDenied(_("Verification failed, please double-check the code."))

    def _totp_burn_code(self, code):
        """The step of ``code`` if it is a valid TOTP code of this user never used before (it is
        then used up), else None."""
        self.ensure_one()
        secret = self.sudo().totp_secret
        step = totp.match(secret, code) if secret else None
        if step is None:
            return None
        return step if self._totp_store_step(step) else None

    def _totp_store_step(self, step):
        """Record ``step`` as the last accepted one unless it or a later one already was.

        Check and store are one statement, so concurrent submissions give one success. The
        others wait for the winner's row lock and then fail to serialize: an expected race, not
        a fault, so the cursor does not log it as a bad query; the error goes up to the HTTP
        layer, which retries the request (logged at INFO) and the retry is refused as a replay.
        """
        self.ensure_one()
        self.env.cr.execute(
            "UPDATE res_users SET totp_last_step = %s "
            "WHERE id = %s AND (totp_last_step IS NULL OR totp_last_step < %s)",
            (step, self.id, step),
            log_exceptions=False,
        )
        self.invalidate_recordset(['totp_last_step'])
        return self.env.cr.rowcount == 1

    def _totp_check(self, code):
        # EXTENDS auth_totp: authenticator app codes are checked here without super(): its
        # check accepts a code again within its window and is only rate-limited per IP address
        # in one worker's memory; ours is replay-proof and throttled per account in the
        # database. Other second factors (auth_totp_mail_enforce's emailed codes, ...) are
        # checked by super(), with the code as given. The stock controller passes an int.
        if self._mfa_type() not in (None, 'totp', MFA_TYPE_ENROLL):
            return super()._totp_check(code)
        if isinstance(code, int) and code >= 0:
            code = str(code).zfill(totp.DIGITS)
        self._portal_mfa_check_code(code, allow_backup_code=False)

    def _totp_try_setting(self, secret, code):
        # EXTENDS auth_totp: the code used to enable TOTP cannot be used again to sign in.
        enabled = super()._totp_try_setting(secret, code)
        if enabled:
            self.sudo().portal_mfa_setup_date = fields.Datetime.now()
            code = str(code).zfill(totp.DIGITS) if isinstance(code, int) else code
            step = totp.match(self.sudo().totp_secret, code)
            if step is not None:
                self._totp_store_step(step)
        return enabled

    # ------------------------------------------------------------------
    # Enrollment at sign-in (M1) and backup codes (M2)
    # ------------------------------------------------------------------

    def _portal_mfa_enroll(self, secret, code):
        """Store ``secret`` (made by the server) as this user's TOTP secret if ``code`` is valid
        for it; return the new backup codes to show once. Raise AccessDenied otherwise."""
        self.ensure_one()
        if not self._portal_mfa_must_enroll() or not totp.is_valid_secret(secret):
            raise AccessDenied()
        with self.env['res.users.mfa.attempt']._throttle(self):
            step = totp.match(secret, code)
            if step is None:
                _logger.info("2FA enrollment: REJECT CODE for %s", self)
                raise AccessDenied(_("Verification failed, please double-check the 6-digit code."))
            self.sudo().write({'totp_secret': secret, 'portal_mfa_setup_date': fields.Datetime.now()})
            self._totp_store_step(step)
            codes = self._portal_mfa_generate_backup_codes()
        _logger.info("2FA enrollment: SUCCESS for %s", self)
        return codes

    def _portal_mfa_generate_backup_codes(self):
        """Replace all backup codes of this user by new ones; return them in clear, once."""
        return self.env['res.users.backup.code']._generate_codes(self)

    def _portal_mfa_use_backup_code(self, code):
        """Whether ``code`` is an unused backup code of this user (``res.users.backup.code``)."""
        return self.env['res.users.backup.code']._use_code(self, code)

    def _portal_mfa_regenerate_backup_codes(self, password):
        """New backup codes for the current user, who re-enters their password."""
        return self.env['res.users.backup.code']._regenerate_codes(self, password)

    @check_identity
    def action_totp_disable(self):
        # EXTENDS auth_totp: with P3 on, portal users may not turn MFA off themselves (an
        # administrator uses Reset Portal MFA).
        if not (self.env.su or self.env.user._is_admin()) and any(u._portal_mfa_is_enforced() for u in self):
            raise UserError(_("Your company requires two-factor authentication: it cannot be disabled."))
        result = super().action_totp_disable()
        self.sudo().filtered(lambda user: not user.totp_enabled).portal_mfa_setup_date = False
        return result

    # ------------------------------------------------------------------
    # Trusted devices ("Don't ask again on this device")
    # ------------------------------------------------------------------

    def _portal_mfa_device_lifetime(self):
        """How long a device of this user may skip the second factor (a timedelta), or None
        when it may not: the company's choice for portal users under enforced MFA, else as
        stock (90 days)."""
        self.ensure_one()
        if self._portal_mfa_is_enforced():
            return self.sudo().company_id._get_portal_mfa_device_lifetime()
        return timedelta(seconds=TRUSTED_DEVICE_AGE)

    def _portal_mfa_trust_device(self, name):
        """Remember the current device of this user, who just passed the second factor:
        return (key of its cookie, lifetime), or None when this user's devices are never
        remembered."""
        self.ensure_one()
        lifetime = self._portal_mfa_device_lifetime()
        if lifetime is None:
            _logger.info("2FA trusted device: REFUSED for %s (company policy)", self)
            return None
        key = (
            self.env['auth_totp.device']
            .with_user(self)
            .sudo()
            ._generate('browser', name, fields.Datetime.now() + lifetime)
        )
        return key, lifetime

    # ------------------------------------------------------------------
    # Administrator reset (M4)
    # ------------------------------------------------------------------

    def _portal_mfa_reset(self):
        """Clear the second factor of these users: secret, backup codes, trusted devices, then end
        their sessions and tell them by email. Access is checked by the caller."""
        users = self.sudo()
        if not users:
            return
        users._revoke_all_devices()
        self.env['res.users.backup.code'].sudo().search([('user_id', 'in', users.ids)]).unlink()
        # Changing the secret changes the session token: every session of these users ends.
        users.write({'totp_secret': False, 'portal_mfa_setup_date': False})
        self.env.cr.execute("UPDATE res_users SET totp_last_step = NULL WHERE id IN %s", (tuple(users.ids),))
        users.invalidate_recordset(['totp_last_step', 'portal_mfa_backup_code_count'])
        # Also end the sessions Odoo keeps track of, whether or not the user had a secret.
        self.env['res.device'].sudo().search([('user_id', 'in', users.ids)])._revoke()
        template = self.env.ref('customer_portal.mail_template_portal_mfa_reset', raise_if_not_found=False)
        for user in users:
            _logger.info("2FA reset: SUCCESS for %s by uid #%s", user, self.env.uid)
            if template:
                template.send_mail(user.id)

    # ------------------------------------------------------------------
    # Invitation status (A4)
    # ------------------------------------------------------------------

    def _update_last_login(self):
        # EXTENDS base: a portal user's first sign-in since the invitation accepts it.
        res = super()._update_last_login()
        for user in self.sudo().filtered('share'):
            if user.partner_id.portal_invitation_state != 'accepted':
                user.partner_id.write(
                    {'portal_invitation_state': 'accepted', 'portal_accepted_date': fields.Datetime.now()}
                )
        return res

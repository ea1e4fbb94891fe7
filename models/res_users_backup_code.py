# Part of customer_portal. See LICENSE file for full copyright and licensing details.
import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessDenied, AccessError, UserError

from ..tools import backup_codes

_logger = logging.getLogger(__name__)


class ResUsersBackupCode(models.Model):
    """A single-use backup code of the second factor (M2); only its salted hash is kept."""

    _name = 'res.users.backup.code'
    _description = "Multi-Factor Authentication Backup Code"
    _order = 'id'

    user_id = fields.Many2one('res.users', required=True, index=True, ondelete='cascade')
    code_hash = fields.Char(required=True, groups=fields.NO_ACCESS)
    used_date = fields.Datetime(string="Used On", readonly=True)

    def _consume(self):
        """Mark this unused code as used; True for exactly one of concurrent attempts."""
        self.ensure_one()
        # One statement checks and stores, so two requests with the same code cannot both pass.
        # The losers fail to serialize: an expected race, retried by the HTTP layer, so not
        # logged as a bad query (see res.users._totp_store_step).
        self.env.cr.execute(
            "UPDATE res_users_backup_code SET used_date = NOW() AT TIME ZONE 'UTC' WHERE id = %s AND used_date IS NULL",
            (self.id,),
            log_exceptions=False,
        )
        self.invalidate_recordset(['used_date'])
        return self.env.cr.rowcount == 1

    @api.model
    def _generate_codes(self, user):
        """Replace all backup codes of ``user`` by new ones; return them in clear, once."""
        user.ensure_one()
        BackupCode = self.sudo()
        BackupCode.search([('user_id', '=', user.id)]).unlink()
        codes = backup_codes.generate_codes()
        BackupCode.create([{'user_id': user.id, 'code_hash': backup_codes.hash_code(code)} for code in codes])
        user.invalidate_recordset(['portal_mfa_backup_code_count'])
        return codes

    @api.model
    def _use_code(self, user, code):
        """Whether ``code`` is an unused backup code of ``user``; it is then used up and the
        user is told by email."""
        user.ensure_one()
        if backup_codes.normalize_code(code) is None:
            return False
        candidates = self.sudo().search([('user_id', '=', user.id), ('used_date', '=', False)])
        backup_code = next((c for c in candidates if backup_codes.verify_code(code, c.code_hash)), None)
        if not backup_code or not backup_code._consume():
            return False
        user.invalidate_recordset(['portal_mfa_backup_code_count'])
        template = self.env.ref('customer_portal.mail_template_portal_mfa_backup_code_used', raise_if_not_found=False)
        if template:
            template.sudo().send_mail(user.id)
        return True

    @api.model
    def _regenerate_codes(self, user, password):
        """New backup codes for the current user ``user``, who re-enters their password; the old
        ones stop working. Raise AccessDenied for a wrong password."""
        user.ensure_one()
        if user != user.env.user:
            raise AccessError(_("You can only regenerate your own backup codes."))
        if not user.totp_enabled:
            raise UserError(_("Set up an authenticator app first."))
        if not isinstance(password, str) or not password:
            raise AccessDenied()
        credential = {'login': user.login, 'password': password, 'type': 'password'}
        with user._assert_can_auth(user=user.id):
            user._check_credentials(credential, {'interactive': True})
        _logger.info("2FA backup codes: REGENERATED for %s", user)
        return self._generate_codes(user)

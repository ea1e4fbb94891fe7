# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo import fields, models


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

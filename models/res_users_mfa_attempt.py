# Part of customer_portal. See LICENSE file for full copyright and licensing details.
import math
from datetime import timedelta

from odoo import api, fields, models

# Throttling of second-factor codes per account (security.md "Sign-in and MFA").
MAX_FAILURES_PER_HOUR = 10
MAX_FAILURES_IN_A_ROW = 5
COOLDOWN = timedelta(minutes=5)
FAILURE_WINDOW = timedelta(hours=1)


class ResUsersMfaAttempt(models.Model):
    """A second-factor attempt (TOTP or backup code) of an account.

    Kept in the database, written on its own cursor, so that the limits hold across workers,
    hosts and IP addresses and survive the rollback of the request that failed.
    """

    _name = 'res.users.mfa.attempt'
    _description = "Multi-Factor Authentication Attempt"
    _order = 'id desc'

    user_id = fields.Many2one('res.users', required=True, index=True, ondelete='cascade')
    success = fields.Boolean(readonly=True)
    ip_address = fields.Char(string="IP Address", readonly=True)

    @api.model
    def _get_retry_date(self, user_id):
        """When ``user_id`` may try a code again, or None when they may try now."""
        now = fields.Datetime.now()
        recent = self.search([('user_id', '=', user_id), ('create_date', '>', now - FAILURE_WINDOW)], order='id desc')
        failures = recent.filtered(lambda attempt: not attempt.success)
        retry_dates = []
        if len(failures) >= MAX_FAILURES_PER_HOUR:
            # Free again when the oldest of the last ten failures leaves the hour.
            retry_dates.append(failures[MAX_FAILURES_PER_HOUR - 1].create_date + FAILURE_WINDOW)
        in_a_row = 0
        for attempt in recent:
            if attempt.success:
                break
            in_a_row += 1
        if in_a_row >= MAX_FAILURES_IN_A_ROW:
            retry_dates.append(failures[0].create_date + COOLDOWN)
        retry_date = max(retry_dates, default=None)
        return retry_date if retry_date and retry_date > now else None

    @api.model
    def _get_retry_message(self, retry_date):
        minutes = max(1, math.ceil((retry_date - fields.Datetime.now()).total_seconds() / 60))
        if minutes == 1:
            return self.env._(
                "Too many wrong codes. Please try again in 1 minute, after %(time)s UTC.",
                time=retry_date.strftime('%H:%M'),
            )
        return self.env._(
            "Too many wrong codes. Please try again in %(minutes)s minutes, after %(time)s UTC.",
            minutes=minutes,
            time=retry_date.strftime('%H:%M'),
        )

    @api.autovacuum
    def _gc_attempts(self):
        self.search([('create_date', '<', fields.Datetime.now() - timedelta(days=1))]).unlink()

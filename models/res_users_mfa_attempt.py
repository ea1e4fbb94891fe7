# Part of customer_portal. See LICENSE file for full copyright and licensing details.
import contextlib
import logging
import math
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import AccessDenied
from odoo.http import request

_logger = logging.getLogger(__name__)

# Throttling of second-factor codes per account (security.md "Sign-in and MFA").
MAX_FAILURES_PER_HOUR = 10
MAX_FAILURES_IN_A_ROW = 5
COOLDOWN = timedelta(minutes=5)
FAILURE_WINDOW = timedelta(hours=1)
# First key of the PostgreSQL advisory lock that serialises the code checks of one account.
MFA_THROTTLE_LOCK = 0x6D666131
# Longest wait of that cursor for a lock: a bound, never reached by the checks themselves.
MFA_THROTTLE_LOCK_TIMEOUT = '10s'


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
    @contextlib.contextmanager
    def _throttle(self, user):
        """Refuse any attempt of ``user`` while the account is locked out, and record the outcome
        of the code check run inside this context: AccessDenied is a failure, no exception a success.

        Attempts are written on a cursor of their own, committed at once, so that a failure
        stays recorded when the request's transaction rolls back. A transaction-level advisory
        lock on that cursor serialises the checks of one account: parallel guesses cannot
        exceed the limits.

        No deadlock with the request's own transaction: only these side cursors take the
        advisory lock, and a side cursor waits on the request transaction only for the foreign
        key checks of its insert (KEY SHARE on the res_users row), which the request's
        UPDATEs of res_users (NO KEY UPDATE) do not block. Should a request ever hold a stronger
        lock on that row, the lock timeout turns the wait into an error instead of a worker
        hung forever while holding the account's lock.
        """
        user.ensure_one()
        remote_addr = request.httprequest.remote_addr if request else None
        with self.env.registry.cursor() as cr:
            if not self.env.registry.in_test_mode():
                # Each statement must see the attempts committed while waiting for the lock.
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                cr.execute("SET LOCAL lock_timeout = %s", (MFA_THROTTLE_LOCK_TIMEOUT,))
            try:
                # Handled below (a WARNING): not logged as a failed query by the cursor.
                cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", (MFA_THROTTLE_LOCK, user.id), log_exceptions=False)
            except psycopg2.errors.LockNotAvailable:
                _logger.warning("2FA check: BUSY for %s (lock timeout)", user)
                raise AccessDenied(_("Too many sign-in attempts at once. Please try again in a minute.")) from None
            Attempt = self.env(cr=cr, su=True)['res.users.mfa.attempt']
            retry_date = Attempt._get_retry_date(user.id)
            if retry_date:
                _logger.info("2FA check: THROTTLED for %s until %s", user, retry_date)
                raise AccessDenied(Attempt._get_retry_message(retry_date))
            try:
                yield
            except AccessDenied:
                Attempt.create({'user_id': user.id, 'success': False, 'ip_address': remote_addr})
                # The side cursor's own transaction: the failed attempt must count although the
                # request that made it is rolled back.
                cr.commit()  # pylint: disable=invalid-commit
                raise
            Attempt.create({'user_id': user.id, 'success': True, 'ip_address': remote_addr})

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

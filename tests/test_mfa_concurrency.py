# Part of customer_portal. See LICENSE file for full copyright and licensing details.
import threading
import time
from unittest.mock import patch

import psycopg2
from freezegun import freeze_time

from odoo import SUPERUSER_ID, api
from odoo.exceptions import AccessDenied
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..tools import totp
from .common import ErrorRecords
from .common_mfa import totp_code

T0 = 1763719200  # 2025-11-21 10:00:00 UTC, a multiple of 30 s


@tagged('post_install', '-at_install')
class TestMfaVerifier(TransactionCase):
    """The code check of res.users: window, replay, backup codes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.portal_enforce_mfa = True
        cls.user = new_test_user(cls.env, login='mfa_verifier', groups='base.group_portal')
        cls.secret = totp.generate_secret()
        cls.user.sudo().totp_secret = cls.secret

    def _code(self, step):
        return totp.code_at_step(self.secret, step)

    def test_window(self):
        """c-1, c and c+1 are accepted, c-2 and c+2 refused (with the clock frozen)."""
        c = T0 // 30
        with freeze_time('2025-11-21 10:00:10'):
            self.assertIsNone(self.user._totp_burn_code(self._code(c - 2)))
            self.assertIsNone(self.user._totp_burn_code(self._code(c + 2)))
            for step in (c - 1, c, c + 1):
                self.assertEqual(self.user._totp_burn_code(self._code(step)), step)

    def test_replay(self):
        """A code is accepted once; its step and earlier ones are refused afterwards."""
        c = T0 // 30
        with freeze_time('2025-11-21 10:00:10'):
            self.assertEqual(self.user._totp_burn_code(self._code(c)), c)
            self.assertIsNone(self.user._totp_burn_code(self._code(c)), "same step refused")
            self.assertIsNone(self.user._totp_burn_code(self._code(c - 1)), "older step refused")
            self.assertEqual(self.user._totp_burn_code(self._code(c + 1)), c + 1)
        with freeze_time('2025-11-21 10:00:40'):
            # c + 1 is still in the window but already used.
            self.assertIsNone(self.user._totp_burn_code(self._code(c + 1)))
            self.assertEqual(self.user._totp_burn_code(self._code(c + 2)), c + 2)

    def test_store_step(self):
        """The stored step only moves forward."""
        step = totp.time_step()
        self.user._totp_store_step(step - 1)
        self.assertTrue(self.user._totp_store_step(step))
        self.assertFalse(self.user._totp_store_step(step), "same step refused")
        self.assertFalse(self.user._totp_store_step(step - 1), "older step refused")

    def test_enrollment_code_burnt(self):
        """The code that enrolls an app cannot be used again to sign in."""
        user = new_test_user(self.env, login='mfa_enroll_burn', groups='base.group_portal')
        secret = totp.generate_secret()
        with freeze_time('2025-11-21 10:00:10'):
            code = totp.current_code(secret)
            # Not through HTTP: the throttle needs a request-less check of the code only.
            step = totp.match(secret, code)
            user.sudo().totp_secret = secret
            self.assertTrue(user._totp_store_step(step))
            self.assertIsNone(user._totp_burn_code(code), "the enrollment code cannot sign in")

    def test_query_count(self):
        """Checking a code costs a fixed, small number of queries."""
        code = totp.current_code(self.secret)
        self.env.invalidate_all()
        with self.assertQueryCount(2):
            self.assertIsNotNone(self.user._totp_burn_code(code))

    def test_backup_code_once(self):
        """A backup code works once."""
        codes = self.user._portal_mfa_generate_backup_codes()
        self.assertEqual(self.user.portal_mfa_backup_code_count, 10)
        self.assertTrue(self.user._portal_mfa_use_backup_code(codes[0]))
        self.assertFalse(self.user._portal_mfa_use_backup_code(codes[0]), "second use refused")
        self.assertEqual(self.user.portal_mfa_backup_code_count, 9)
        self.assertFalse(self.user._portal_mfa_use_backup_code('abcde-fghjk'))
        new_codes = self.user._portal_mfa_generate_backup_codes()
        self.assertFalse(self.user._portal_mfa_use_backup_code(codes[1]), "regenerating voids the old codes")
        self.assertTrue(self.user._portal_mfa_use_backup_code(new_codes[1]))

    def test_enforcement_rules(self):
        """MFA is enforced on the portal users of a company that asks for it, never on employees."""
        employee = new_test_user(self.env, login='mfa_verifier_emp')
        self.assertFalse(employee._portal_mfa_is_enforced())
        self.assertIsNone(employee._mfa_url())
        user = new_test_user(self.env, login='mfa_verifier_new', groups='base.group_portal')
        self.assertEqual(user._mfa_url(), '/web/login/totp/enroll')
        self.assertTrue(user._rpc_api_keys_only())
        self.assertEqual(self.user._mfa_url(), '/web/login/totp')
        self.env.company.portal_enforce_mfa = False
        self.assertIsNone(user._mfa_url())
        self.assertFalse(user._rpc_api_keys_only())
        self.assertEqual(self.user._mfa_url(), '/web/login/totp', "M5: MFA stays for who set it up")


@tagged('post_install', '-at_install')
class TestMfaConcurrency(TransactionCase):
    """Real concurrent transactions: data committed by a separate cursor, cleaned up after."""

    def setUp(self):
        super().setUp()
        self.secret = totp.generate_secret()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            user = new_test_user(env, login='mfa_concurrent', groups='base.group_portal')
            user.totp_secret = self.secret
            self.uid_ = user.id
            self.codes = user._portal_mfa_generate_backup_codes()
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM res_users_mfa_attempt WHERE user_id = %s", (self.uid_,))
            cr.execute("DELETE FROM res_users_backup_code WHERE user_id = %s", (self.uid_,))
            env = api.Environment(cr, SUPERUSER_ID, {})
            user = env['res.users'].browse(self.uid_)
            try:
                with cr.savepoint():
                    partner = user.partner_id
                    user.unlink()
                    partner.unlink()
            except Exception:  # noqa: BLE001 - records made meanwhile may refer to the user
                user.write({'active': False, 'login': f'mfa_concurrent_done_{self.uid_}'})

    def _run_concurrently(self, code, count=4):
        barrier = threading.Barrier(count)
        outcomes = []

        def submit():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    # As a request does: its snapshot is taken before the check (session,
                    # user), and it goes on working a moment after it (session, page) before
                    # it commits; so the others' UPDATEs wait for the winner's row lock.
                    cr.execute("SELECT login FROM res_users WHERE id = %s", (self.uid_,))
                    barrier.wait(timeout=10)
                    env['res.users'].browse(self.uid_)._portal_mfa_check_code(code)
                    outcomes.append('success')
                    time.sleep(0.3)
            except (AccessDenied, psycopg2.errors.SerializationFailure, psycopg2.errors.LockNotAvailable):
                outcomes.append('refused')
            except Exception as e:  # noqa: BLE001 - reported by the assertion below
                outcomes.append(repr(e))

        threads = [threading.Thread(target=submit) for _i in range(count)]
        # The test runner holds the registry lock for the whole run; new environments of other
        # threads need it (HttpCase swaps it the same way when it enters test mode). A request
        # whose UPDATE waited for a concurrent one gets a serialization failure (which the HTTP
        # layer retries, logged at INFO): counted here as refused. An expected race logs no
        # ERROR: nothing is muted, every record of ERROR and above is collected.
        with patch.object(Registry, '_lock', DummyRLock()), ErrorRecords() as errors:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
        self.assertFalse(any(thread.is_alive() for thread in threads), "no thread is stuck")
        self.assertEqual(
            [record.getMessage()[:200] for record in errors.records], [], "the expected race logs no ERROR or CRITICAL"
        )
        return outcomes

    def _attempts(self, success):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT COUNT(*) FROM res_users_mfa_attempt WHERE user_id = %s AND success = %s", (self.uid_, success)
            )
            return cr.fetchone()[0]

    def test_concurrent_double_submission(self):
        """Four simultaneous submissions of one code: one sign-in, three refusals."""
        outcomes = self._run_concurrently(totp_code(self.secret))
        self.assertEqual(sorted(outcomes), ['refused', 'refused', 'refused', 'success'], outcomes)

    def test_concurrent_backup_code(self):
        """Four simultaneous submissions of one backup code: one sign-in, three refusals."""
        outcomes = self._run_concurrently(self.codes[0])
        self.assertEqual(sorted(outcomes), ['refused', 'refused', 'refused', 'success'], outcomes)

    def test_failure_survives_rollback(self):
        """A failed code is counted even when the request's transaction is rolled back."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            with self.assertRaises(AccessDenied):
                env['res.users'].browse(self.uid_)._portal_mfa_check_code('not a code')
            cr.rollback()
        self.assertEqual(self._attempts(False), 1, "the failure is recorded although the request rolled back")

    def test_concurrent_failures_respect_limit(self):
        """Parallel wrong guesses cannot exceed the limit of failures in a row."""
        outcomes = self._run_concurrently('000000' if totp_code(self.secret) != '000000' else '111111', count=8)
        self.assertEqual(outcomes.count('success'), 0)
        self.assertEqual(self._attempts(False), 5, "the 6th to 8th guesses were refused without being tried")

    def _check_holding_row_lock(self, lock_sql, code):
        """Check ``code`` in a "request" transaction that first took ``lock_sql`` on the user's
        res_users row (and keeps it until it ends); return the outcome."""
        outcomes = []

        def request():
            try:
                with self.registry.cursor() as cr:
                    cr.execute(lock_sql, (self.uid_,))
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    env['res.users'].browse(self.uid_)._portal_mfa_check_code(code)
                    outcomes.append('success')
            except AccessDenied:
                outcomes.append('refused')
            except Exception as e:  # noqa: BLE001 - reported by the assertions of the caller
                outcomes.append(type(e).__name__)

        thread = threading.Thread(target=request)
        with patch.object(Registry, '_lock', DummyRLock()):
            thread.start()
            thread.join(timeout=30)
        self.assertFalse(thread.is_alive(), "the check does not wait for its own request")
        return outcomes

    def test_no_deadlock_with_request_row_lock(self):
        """The request's transaction writes the user's res_users row (as the code check and the
        enrollment do) and keeps that lock while the side cursor records the attempt: no wait."""
        lock = "UPDATE res_users SET totp_last_step = totp_last_step WHERE id = %s"
        wrong = '000000' if totp_code(self.secret) != '000000' else '111111'
        self.assertEqual(self._check_holding_row_lock(lock, wrong), ['refused'])
        self.assertEqual(self._attempts(False), 1, "the failure was recorded")
        self.assertEqual(self._check_holding_row_lock(lock, totp_code(self.secret)), ['success'])
        self.assertEqual(self._attempts(True), 1)

    @mute_logger('odoo.sql_db')
    def test_stronger_row_lock_times_out(self):
        """Should a request ever hold a FOR UPDATE lock on the user's row, the side cursor's
        foreign key check would wait on it forever: the lock timeout makes it an error instead
        of a worker hung while holding the account's lock."""
        from ..models import res_users_mfa_attempt as res_users_mfa_attempt_module

        wrong = '000000' if totp_code(self.secret) != '000000' else '111111'
        with patch.object(res_users_mfa_attempt_module, 'MFA_THROTTLE_LOCK_TIMEOUT', '1s'):
            outcomes = self._check_holding_row_lock("SELECT id FROM res_users WHERE id = %s FOR UPDATE", wrong)
        self.assertEqual(outcomes, ['LockNotAvailable'])
        # The account's lock was released: the next check runs.
        self.assertEqual(self._check_holding_row_lock("SELECT %s", totp_code(self.secret)), ['success'])

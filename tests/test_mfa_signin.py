# Part of customer_portal. See LICENSE file for full copyright and licensing details.
import json
from datetime import timedelta

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_mfa import HOSTILE_CODES, MfaHttpCase, totp_code


@tagged('post_install', '-at_install')
class TestMfaSignIn(MfaHttpCase):
    def setUp(self):
        super().setUp()
        self.secret = self._set_secret(self.portal_user)

    def _wrong_code(self, delta=0):
        """A 6-digit code that is none of the codes accepted now."""
        accepted = {totp_code(self.secret, d) for d in (-1, 0, 1)}
        return next(code for code in ('000000', '111111', '222222', '333333') if code not in accepted)

    def _backdate_attempts(self, minutes):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_users_mfa_attempt SET create_date = create_date - %s WHERE user_id = %s",
            (timedelta(minutes=minutes), self.portal_user.id),
        )
        self.env.invalidate_all()

    def _failures(self):
        return (
            self.env['res.users.mfa.attempt']
            .sudo()
            .search_count([('user_id', '=', self.portal_user.id), ('success', '=', False)])
        )

    def test_code_replay(self):
        """M3: a code is accepted once; that step and earlier ones are refused afterwards."""
        code = totp_code(self.secret)
        self._login(self.portal_user.login, self.portal_password)
        self.assertEqual(self._post_second_factor(code).status_code, 303)
        self._assert_signed_in(self.portal_user)
        self._logout()

        self._login(self.portal_user.login, self.portal_password)
        for replayed in (code, totp_code(self.secret, -1)):
            response = self._post_second_factor(replayed)
            self.assertEqual(response.status_code, 200)
            self.assertIn('Verification failed', response.text)
            self._assert_not_signed_in("a used code or an older one is refused")
        self.assertEqual(self._post_second_factor(totp_code(self.secret, 1)).status_code, 303)
        self._assert_signed_in(self.portal_user)

    @mute_logger('odoo.http')
    def test_hostile_inputs(self):
        """No input makes the second-factor pages answer 500 or sign in."""
        self._login(self.portal_user.login, self.portal_password)
        page = self.url_open('/web/login/totp')
        csrf = self._csrf(page)
        for code in HOSTILE_CODES:
            with self.subTest(code=code[:20]):
                self._clear_attempts(self.portal_user)
                self._clear_ip_cooldown()
                response = self.url_open(
                    '/web/login/totp', data={'csrf_token': csrf, 'totp_token': code}, allow_redirects=False
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn('Verification failed', response.text)
                self._assert_not_signed_in()
        # Repeated parameters, a missing one, a JSON body.
        self._clear_attempts(self.portal_user)
        response = self.url_open(
            '/web/login/totp',
            data=[('csrf_token', csrf), ('totp_token', 'x'), ('totp_token', totp_code(self.secret))],
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn('Verification failed', response.text)
        response = self.url_open('/web/login/totp', data={'csrf_token': csrf}, allow_redirects=False)
        self.assertEqual(response.status_code, 200)
        response = self.url_open(
            '/web/login/totp',
            data=json.dumps({'totp_token': ['123456']}),
            headers={'Content-Type': 'application/json'},
            allow_redirects=False,
        )
        self.assertLess(response.status_code, 500)
        self._assert_not_signed_in()

        # The enrollment page answers the same way.
        self.portal_user.sudo().totp_secret = False
        self._logout()
        self._login(self.portal_user.login, self.portal_password)
        page = self.url_open('/web/login/totp/enroll')
        csrf = self._csrf(page)
        for code in HOSTILE_CODES:
            with self.subTest(enroll_code=code[:20]):
                self._clear_attempts(self.portal_user)
                response = self.url_open(
                    '/web/login/totp/enroll', data={'csrf_token': csrf, 'totp_token': code}, allow_redirects=False
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn('Verification failed', response.text)
        self.assertFalse(self.portal_user.totp_enabled)
        self._assert_not_signed_in()

    def test_throttle_per_account(self):
        """Cooldown at the 6th attempt after 5 failures in a row; at most 10 failures an hour;
        counted per account whatever the client address; even a right code is refused then."""
        self._login(self.portal_user.login, self.portal_password)
        for attempt in range(5):
            # Failures from two client addresses count together.
            if attempt % 2:
                self._use_second_address()
            else:
                self._use_first_address()
            self._clear_ip_cooldown()
            response = self._post_second_factor(self._wrong_code())
            self.assertIn('Verification failed', response.text)
        self.assertEqual(self._failures(), 5)
        ips = set(
            self.env['res.users.mfa.attempt']
            .sudo()
            .search([('user_id', '=', self.portal_user.id)])
            .mapped('ip_address')
        )
        self.assertEqual(ips, {'127.0.0.1', '127.0.0.2'})

        # 6th attempt: cooldown, the right code is refused too and the message says when.
        self._use_first_address()
        response = self._post_second_factor(totp_code(self.secret))
        self.assertEqual(response.status_code, 200)
        self.assertIn('Too many wrong codes', response.text)
        self.assertRegex(response.text, r'try again in [0-9]+ minute')
        self._assert_not_signed_in()
        self.assertEqual(self._failures(), 5, "refused attempts are not counted")

        # After the cooldown, each further failure starts a new one; at 10 failures in the hour the
        # account stays locked until the oldest one is an hour old.
        for _attempt in range(5):
            self._backdate_attempts(6)
            self._clear_ip_cooldown()
            response = self._post_second_factor(self._wrong_code())
            self.assertIn('Verification failed', response.text)
        self.assertEqual(self._failures(), 10)
        self._backdate_attempts(6)
        self._use_second_address()
        self._clear_ip_cooldown()
        response = self._post_second_factor(totp_code(self.secret))
        self.assertIn('Too many wrong codes', response.text, "11th attempt refused (hourly limit)")
        self._assert_not_signed_in()
        # Wrong backup codes are refused by the same counter.
        response = self._post_second_factor('abcde-fghjk')
        self.assertIn('Too many wrong codes', response.text)

        # Once the failures are an hour old, the right code works again.
        self._backdate_attempts(60)
        self._clear_ip_cooldown()
        response = self._post_second_factor(totp_code(self.secret))
        self.assertEqual(response.status_code, 303)
        self._assert_signed_in(self.portal_user)

    def test_wrong_backup_codes_count(self):
        """Wrong backup codes count as failures and start the cooldown."""
        self.portal_user._portal_mfa_generate_backup_codes()
        self._login(self.portal_user.login, self.portal_password)
        for _attempt in range(5):
            response = self._post_second_factor('abcde-fghjk')
            self.assertIn('Verification failed', response.text)
        response = self._post_second_factor(totp_code(self.secret))
        self.assertIn('Too many wrong codes', response.text)

    def test_backup_code_once(self):
        """M2: a backup code signs in once; the customer is emailed; a second use is refused."""
        codes = self.portal_user._portal_mfa_generate_backup_codes()
        self._login(self.portal_user.login, self.portal_password)
        page = self.url_open('/web/login/totp')
        self.assertIn('backup codes', page.text)
        # Typed with spaces and in upper case.
        typed = codes[3].replace('-', ' ').upper()
        response = self._post_second_factor(typed)
        self.assertEqual(response.status_code, 303)
        self._assert_signed_in(self.portal_user)
        self.assertEqual(self.portal_user.portal_mfa_backup_code_count, 9)
        mail = (
            self.env['mail.mail']
            .sudo()
            .search(
                [
                    ('recipient_ids', 'in', self.portal_partner.ids),
                    ('subject', '=', "A backup code was used to sign in to your account"),
                ]
            )
        )
        self.assertEqual(len(mail), 1, "the customer is told a backup code was used")
        self.assertIn('9', mail.body_html)

        self._logout()
        self._login(self.portal_user.login, self.portal_password)
        response = self._post_second_factor(codes[3])
        self.assertIn('Verification failed', response.text)
        self._assert_not_signed_in("a backup code works once")
        response = self._post_second_factor(codes[4])
        self.assertEqual(response.status_code, 303)

    def test_regenerate_backup_codes(self):
        """M2: regenerating needs the password and voids every old code."""
        old_codes = self.portal_user._portal_mfa_generate_backup_codes()
        self._login(self.portal_user.login, self.portal_password)
        self._post_second_factor(totp_code(self.secret))
        self._assert_signed_in(self.portal_user)

        response = self._post_form('/my/security/backup_codes', {'password': 'wrong password'})
        self.assertEqual(response.status_code, 200)
        self.assertIn('Wrong password', response.text)
        self.assertNotIn('o_cp_mfa_backup_code"', response.text)
        response = self._post_form('/my/security/backup_codes', {'password': self.portal_password})
        self.assertEqual(response.status_code, 200)
        new_codes = response.text.split('o_cp_mfa_backup_code">')[1:]
        new_codes = [c.split('<', 1)[0] for c in new_codes]
        self.assertEqual(len(new_codes), 10)
        self.assertFalse(set(new_codes) & set(old_codes))
        self.assertEqual(self.portal_user.portal_mfa_backup_code_count, 10)

        self._logout()
        self._login(self.portal_user.login, self.portal_password)
        response = self._post_second_factor(old_codes[0])
        self.assertIn('Verification failed', response.text, "old codes are void")
        response = self._post_second_factor(new_codes[0])
        self.assertEqual(response.status_code, 303)
        self._assert_signed_in(self.portal_user)

    def test_backup_codes_route_needs_mfa(self):
        """The backup codes page answers 404 to a user without MFA."""
        self.portal_user.sudo().totp_secret = False
        self.company.portal_enforce_mfa = False
        self._login(self.portal_user.login, self.portal_password)
        self._assert_signed_in(self.portal_user)
        self.assertEqual(self._get('/my/security/backup_codes').status_code, 404)

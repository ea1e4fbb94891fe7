# Part of customer_portal. See LICENSE file for full copyright and licensing details.
import re
from unittest.mock import patch

from odoo.tests import tagged

from .common_mfa import MfaHttpCase, totp_code

CODE_RE = re.compile(r'>\s*(\d{6})\s*</span>')


@tagged('post_install', '-at_install')
class TestMfaMailEnforce(MfaHttpCase):
    """With auth_totp_mail_enforce (codes by email, CE) installed beside the addon: its users
    sign in with the emailed code, app users keep the addon's one-use, throttled check.
    scripts/portalctl.py installs it in the test database."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['ir.config_parameter'].sudo().set_param('auth_totp.policy', 'all_required')

    def setUp(self):
        super().setUp()
        module = self.env['ir.module.module'].search([('name', '=', 'auth_totp_mail_enforce')])
        self.assertEqual(module.state, 'installed', "scripts/portalctl.py test installs auth_totp_mail_enforce")
        # The code mail stays in the outgoing queue, to be read as the customer's inbox would.
        patcher = patch.object(self.registry['mail.mail'], 'send', lambda mails, *args, **kwargs: True)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _mailed_code(self):
        self.env.invalidate_all()
        mail = (
            self.env['mail.mail']
            .sudo()
            .search(
                [
                    ('email_to', '=', self.portal_user.email),
                    ('subject', '=', "Your two-factor authentication code"),
                ],
                order='id desc',
                limit=1,
            )
        )
        self.assertTrue(mail, "the code was emailed")
        match = CODE_RE.search(mail.body_html)
        self.assertTrue(match, "the mail shows a 6-digit code")
        return match.group(1)

    def test_email_code_signs_in(self):
        """Without enforcement, a portal user without app signs in with the code sent by email."""
        self.company.portal_enforce_mfa = False
        self.assertEqual(self.portal_user._mfa_type(), 'totp_mail')
        response = self._login(self.portal_user.login, self.portal_password)
        self.assertIn('/web/login/totp', response.headers['Location'])
        page = self.url_open('/web/login/totp')
        self.assertEqual(page.status_code, 200)
        code = self._mailed_code()

        wrong = '000000' if code != '000000' else '111111'
        response = self.url_open(
            '/web/login/totp', data={'csrf_token': self._csrf(page), 'totp_token': wrong}, allow_redirects=False
        )
        self.assertIn("Verification failed", response.text)
        self._assert_not_signed_in("a wrong emailed code is refused")

        # "Re-send email" sends the code again and is no failed attempt.
        mails = self.env['mail.mail'].sudo().search_count([('email_to', '=', self.portal_user.email)])
        page = self.url_open('/web/login/totp', data={'csrf_token': self._csrf(page), 'send_email': '1'})
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("Verification failed", page.text)
        self.assertGreater(
            self.env['mail.mail'].sudo().search_count([('email_to', '=', self.portal_user.email)]), mails
        )
        self.assertEqual(self._mailed_code(), code, "the same code for the hour")
        self.assertFalse(
            self.env['res.users.mfa.attempt']
            .sudo()
            .search([('user_id', '=', self.portal_user.id), ('success', '=', False)]),
            "our throttle is not involved",
        )

        response = self.url_open(
            '/web/login/totp', data={'csrf_token': self._csrf(page), 'totp_token': code}, allow_redirects=False
        )
        self.assertEqual(response.status_code, 303, "the emailed code signs in")
        self._assert_signed_in(self.portal_user)

    def test_app_code_keeps_our_check(self):
        """An app user is not sent an email and their code is used up once (replay refused)."""
        secret = self._set_secret(self.portal_user)
        self.assertEqual(self.portal_user._mfa_type(), 'totp')
        self._login(self.portal_user.login, self.portal_password)
        code = totp_code(secret)
        response = self._post_second_factor(code)
        self.assertEqual(response.status_code, 303)
        self._assert_signed_in(self.portal_user)
        self.assertFalse(
            self.env['mail.mail']
            .sudo()
            .search(
                [('email_to', '=', self.portal_user.email), ('subject', '=', "Your two-factor authentication code")]
            ),
            "no code by email",
        )

        self._logout()
        self._login(self.portal_user.login, self.portal_password)
        response = self._post_second_factor(code)
        self.assertIn("Verification failed", response.text)
        self._assert_not_signed_in("the same app code is refused the second time")
        attempts = self.env['res.users.mfa.attempt'].sudo().search([('user_id', '=', self.portal_user.id)])
        self.assertEqual(sorted(attempts.mapped('success')), [False, True], "counted by our throttle")

    def test_enforced_company_still_enrolls(self):
        """A portal user whose company enforces an authenticator app sets it up: an emailed code
        does not replace it."""
        self.assertTrue(self.company.portal_enforce_mfa)
        response = self._login(self.portal_user.login, self.portal_password)
        self.assertIn('/web/login/totp/enroll', response.headers['Location'])

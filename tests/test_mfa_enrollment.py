# Part of customer_portal. See LICENSE file for full copyright and licensing details.
import html
import json

from odoo.tests import JsonRpcException, new_test_user, tagged
from odoo.tools import mute_logger

from ..tools import backup_codes, totp
from .common_mfa import BACKUP_CODE_RE, MfaHttpCase, totp_code


@tagged('post_install', '-at_install')
class TestMfaEnrollment(MfaHttpCase):
    def test_enrollment_full_flow(self):
        """M1: password, enrollment page while half-signed-in, code, backup codes, /my."""
        user = self.portal_user
        response = self._login(user.login, self.portal_password)
        self.assertEqual(response.status_code, 303)
        self.assertIn('/web/login/totp/enroll', response.headers['Location'])
        self._assert_not_signed_in("the password alone does not sign in")

        page, secret = self._enroll_page()
        self.assertIn('data:image/svg+xml;base64,', page.text, "a QR code made on the server")
        self.assertTrue(totp.is_valid_secret(secret))
        self.assertFalse(user.totp_enabled, "the secret stays on the server until verified")
        # The same secret is shown again on reload: it is kept in the session.
        self.assertEqual(self._enroll_page()[1], secret)

        # A wrong code and a secret chosen by the client are refused.
        response = self._submit_enrollment(page, '000000' if totp_code(secret) != '000000' else '111111')
        self.assertIn('Verification failed', response.text)
        own_secret = totp.generate_secret()
        response = self.url_open(
            '/web/login/totp/enroll',
            data={
                'csrf_token': self._csrf(page),
                'secret': own_secret,
                'totp_token': totp_code(own_secret),
            },
        )
        self.assertIn('Verification failed', response.text)
        self.assertFalse(user.totp_enabled)
        self._assert_not_signed_in()

        enroll_code = totp_code(secret)
        response = self._submit_enrollment(page, enroll_code)
        self.assertEqual(response.status_code, 200)
        self.assertIn('Continue to sign in', response.text)
        self.assertIn('href="/my"', response.text)
        codes = [html.unescape(code) for code in BACKUP_CODE_RE.findall(response.text)]
        self.assertEqual(len(codes), 10)
        self.assertEqual(response.headers.get('Cache-Control'), 'no-store')

        self.assertTrue(user.totp_enabled)
        self.assertEqual(user.sudo().totp_secret, secret, "stored where auth_totp keeps it")
        self.assertEqual(user.portal_mfa_backup_code_count, 10)
        hashes = self.env['res.users.backup.code'].sudo().search([('user_id', '=', user.id)]).mapped('code_hash')
        self.assertTrue(all(h.startswith('$pbkdf2-sha512$') for h in hashes), "stored salted and hashed")
        self._assert_signed_in(user)

        # The code used to enroll cannot sign in again.
        self._logout()
        response = self._login(user.login, self.portal_password)
        self.assertIn('/web/login/totp', response.headers['Location'])
        self.assertNotIn('enroll', response.headers['Location'])
        response = self._post_second_factor(enroll_code)
        self.assertEqual(response.status_code, 200)
        self.assertIn('Verification failed', response.text)
        self._assert_not_signed_in()
        response = self._post_second_factor(totp_code(secret, 1))
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers['Location'].endswith('/my'))
        self._assert_signed_in(user)
        # /my/security shows the status and the backup codes left, and no disabling under P3.
        security = self.url_open('/my/security').text
        self.assertIn('Two-factor authentication enabled', security)
        self.assertIn('<strong>10</strong> unused backup codes.', security)
        self.assertIn('href="/my/security/backup_codes"', security, "regenerate is offered")
        self.assertNotIn('id="auth_totp_portal_disable"', security)
        # The backup codes were shown once: no page shows them again.
        for url in ('/my/security', '/my/security/backup_codes', '/web/login/totp/enroll', '/my'):
            text = self.url_open(url).text
            for code in codes:
                self.assertNotIn(code, text, url)
        # Signed in, the enrollment page cannot replace the secret, whatever is posted.
        own_secret = totp.generate_secret()
        response = self.url_open(
            '/web/login/totp/enroll',
            data={
                'csrf_token': self._csrf(self.url_open('/my/security')),
                'secret': own_secret,
                'totp_token': totp_code(own_secret),
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(user.sudo().totp_secret, secret, "the secret is unchanged")
        self.assertEqual(user.portal_mfa_backup_code_count, 10, "no new backup codes")

    def test_enrollment_tour(self):
        """M1 in a browser: the customer scans (the tour reads the key), verifies, sees the
        backup codes and continues to the portal."""
        self._install_totp_code_route()
        self.start_tour('/web/login', 'customer_portal_mfa_enroll_tour', login=None)
        self.assertTrue(self.portal_user.totp_enabled)
        self.assertEqual(self.portal_user.portal_mfa_backup_code_count, 10)

    def test_enroll_route_refusals(self):
        """The enrollment page refuses whoever is not half signed in without an app."""
        # Not half-signed-in: back to the login page.
        response = self._get('/web/login/totp/enroll')
        self.assertEqual(response.status_code, 303)
        self.assertIn('/web/login', response.headers['Location'])
        # A user with an authenticator app is sent to the code page, not to enrollment.
        self._set_secret(self.portal_user)
        self._login(self.portal_user.login, self.portal_password)
        response = self._get('/web/login/totp/enroll')
        self.assertEqual(response.status_code, 303)
        self.assertIn('/web/login/totp', response.headers['Location'])
        self.assertNotIn('enroll', response.headers['Location'])

    def test_employees_not_affected(self):
        """Employees sign in as in stock Odoo, without enrollment."""
        employee = new_test_user(self.env, login='mfa_employee', password='Employee-pass-1', company_id=self.company.id)
        response = self._login(employee.login, 'Employee-pass-1')
        self.assertEqual(response.status_code, 303)
        self.assertNotIn('totp', response.headers['Location'])
        self._assert_signed_in(employee)
        self.assertFalse(employee._portal_mfa_is_enforced())
        self.assertFalse(employee._rpc_api_keys_only())

    def test_other_company_not_affected(self):
        """The portal users of a company that does not enforce MFA sign in without it."""
        other_company = self.env['res.company'].create({'name': "MFA Other Co"})
        other_user = new_test_user(
            self.env,
            login='mfa_other_portal',
            groups='base.group_portal',
            password='Other-pass-1',
            company_id=other_company.id,
            company_ids=[other_company.id],
        )
        response = self._login(other_user.login, 'Other-pass-1')
        self.assertNotIn('totp', response.headers['Location'])
        self._assert_signed_in(other_user)

    def test_p3_off_keeps_mfa(self):
        """M5: P3 off enforces nothing new, but who set MFA up still needs a code."""
        secret = self._set_secret(self.portal_user)
        other = new_test_user(
            self.env,
            login='mfa_portal_nototp',
            groups='base.group_portal',
            password='Nototp-pass-1',
            company_id=self.company.id,
        )
        # Half-signed-in while P3 was on; once P3 is off, enrollment is refused (404).
        response = self._login(other.login, 'Nototp-pass-1')
        self.assertIn('/web/login/totp/enroll', response.headers['Location'])
        self.company.portal_enforce_mfa = False
        self.assertEqual(self._get('/web/login/totp/enroll').status_code, 404)
        self._assert_not_signed_in()
        self._logout()

        response = self._login(other.login, 'Nototp-pass-1')
        self.assertNotIn('totp', response.headers['Location'])
        self._assert_signed_in(other)
        self._logout()

        response = self._login(self.portal_user.login, self.portal_password)
        self.assertIn('/web/login/totp', response.headers['Location'])
        self._assert_not_signed_in()
        response = self._post_second_factor(totp_code(secret))
        self.assertEqual(response.status_code, 303)
        self._assert_signed_in(self.portal_user)
        # With P3 off, the customer may disable MFA from /my/security.
        security = self.url_open('/my/security').text
        self.assertIn('id="auth_totp_portal_disable"', security)

    def _identity_checked(self, action, password):
        """Answer the identity check that a check_identity method returned, as the portal does."""
        self.assertEqual(action['res_model'], 'res.users.identitycheck')
        self._call_kw('res.users.identitycheck', 'write', [[action['res_id']], {'password': password}])
        return self._call_kw('res.users.identitycheck', 'run_check', [[action['res_id']]])

    def _wizard_enable(self, wizard_id):
        action = self._call_kw('auth_totp.wizard', 'enable', [[wizard_id]])
        if isinstance(action, dict) and action.get('res_model') == 'res.users.identitycheck':
            return self._identity_checked(action, self.portal_password)
        return action

    @mute_logger('odoo.http')
    def test_wizard_secret_made_by_server(self):
        """Signed in without an app (P3 off), the customer sets one up with auth_totp's wizard
        (/my/security): a secret sent by the client, at creation or later, is never the one used."""
        self.company.portal_enforce_mfa = False
        user = self.portal_user
        self._login(user.login, self.portal_password)
        self._assert_signed_in(user)
        own_secret = totp.generate_secret()
        wizard_id = self._call_kw('auth_totp.wizard', 'create', [{'user_id': user.id, 'secret': own_secret}])
        secret = self._call_kw('auth_totp.wizard', 'read', [[wizard_id], ['secret']])[0]['secret'].replace(' ', '')
        self.assertTrue(totp.is_valid_secret(secret))
        self.assertNotEqual(secret, own_secret, "the client's secret is replaced by the server's")
        with self.assertRaisesRegex(JsonRpcException, r'^odoo\.exceptions\.AccessError$'):
            self._call_kw('auth_totp.wizard', 'write', [[wizard_id], {'secret': own_secret}])
        self._call_kw('auth_totp.wizard', 'write', [[wizard_id], {'code': totp_code(own_secret)}])
        with self.assertRaisesRegex(JsonRpcException, r'^odoo\.exceptions\.UserError$'):
            self._wizard_enable(wizard_id)
        self.assertFalse(user.totp_enabled, "the code of the client's secret enables nothing")
        # The server's secret works as in stock Odoo.
        self._call_kw('auth_totp.wizard', 'write', [[wizard_id], {'code': totp_code(secret)}])
        self._wizard_enable(wizard_id)
        self.assertTrue(user.totp_enabled)
        self.assertEqual(user.sudo().totp_secret, secret)

    @mute_logger('odoo.http')
    def test_disable_refused_under_p3(self):
        """With P3 on, the customer cannot disable MFA, even by calling the method."""
        secret = self._set_secret(self.portal_user)
        self._login(self.portal_user.login, self.portal_password)
        self._post_second_factor(totp_code(secret))
        self._assert_signed_in(self.portal_user)
        action = self._call_kw('res.users', 'action_totp_disable', [[self.portal_user.id]])
        self._call_kw('res.users.identitycheck', 'write', [[action['res_id']], {'password': self.portal_password}])
        response = self.url_open(
            '/web/dataset/call_kw',
            data=json.dumps(
                {
                    'jsonrpc': '2.0',
                    'method': 'call',
                    'id': 1,
                    'params': {
                        'model': 'res.users.identitycheck',
                        'method': 'run_check',
                        'args': [[action['res_id']]],
                        'kwargs': {},
                    },
                }
            ),
            headers={'Content-Type': 'application/json'},
        )
        self.assertIn('cannot be disabled', response.json()['error']['data']['message'])
        self.assertTrue(self.portal_user.totp_enabled)
        # P3 off: the same call disables it.
        self.company.portal_enforce_mfa = False
        action = self._call_kw('res.users', 'action_totp_disable', [[self.portal_user.id]])
        if action.get('res_model') == 'res.users.identitycheck':
            self._identity_checked(action, self.portal_password)
        self.assertFalse(self.portal_user.totp_enabled)

    def test_backup_code_format(self):
        """The backup codes shown at enrollment are in the format the sign-in accepts."""
        secret, codes = self._enroll()
        self.assertTrue(secret)
        for code in codes:
            self.assertIsNotNone(backup_codes.normalize_code(code))

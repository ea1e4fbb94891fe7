# Part of customer_portal. See LICENSE file for full copyright and licensing details.
import json
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import JsonRpcException, new_test_user, tagged
from odoo.tools import format_date, mute_logger

from ..tools import totp
from .common_mfa import MfaHttpCase, totp_code


@tagged('post_install', '-at_install')
class TestMfaAdminReset(MfaHttpCase):
    """M4: Reset Portal MFA on the contact."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin_password = 'Admin-MFA-pass-1'
        cls.admin = new_test_user(
            cls.env,
            login='mfa_admin',
            password=cls.admin_password,
            company_id=cls.company.id,
            groups='base.group_user,base.group_erp_manager,base.group_partner_manager',
        )
        cls.employee = new_test_user(
            cls.env,
            login='mfa_employee2',
            password='Employee-pass-2',
            company_id=cls.company.id,
            groups='base.group_user,base.group_partner_manager',
        )

    def test_admin_reset(self):
        """An administrator resets a customer's MFA after an identity check; sessions and devices are void."""
        # The customer enrolled and is signed in (session A), with a trusted device.
        secret, codes = self._enroll()
        self._assert_signed_in(self.portal_user)
        self.env['auth_totp.device'].with_user(self.portal_user).sudo()._generate(
            'browser', "Customer's browser", datetime.now() + timedelta(days=30)
        )
        self.assertTrue(self.portal_user.sudo().totp_trusted_device_ids)
        customer_cookies = self.opener.cookies.copy()
        self.assertTrue(self.portal_user.totp_enabled)
        self.assertEqual(self.portal_user.portal_mfa_backup_code_count, 10)

        # The administrator signs in for real (another browser).
        self.opener.cookies.clear()
        response = self._login(self.admin.login, self.admin_password)
        self.assertEqual(response.status_code, 303)
        action = self._call_kw('res.partner', 'action_reset_portal_mfa', [[self.portal_partner.id]])
        self.assertEqual(action['res_model'], 'res.users.identitycheck', "the admin confirms their identity")
        self.assertTrue(self.portal_user.totp_enabled, "nothing happens before the identity check")
        # A wrong password does nothing.
        self._call_kw('res.users.identitycheck', 'write', [[action['res_id']], {'password': 'wrong'}])
        with mute_logger('odoo.http'), self.assertRaisesRegex(JsonRpcException, r'^odoo\.exceptions\.UserError$'):
            self._call_kw('res.users.identitycheck', 'run_check', [[action['res_id']]])
        self.assertTrue(self.portal_user.totp_enabled)
        self._call_kw('res.users.identitycheck', 'write', [[action['res_id']], {'password': self.admin_password}])
        result = self._call_kw('res.users.identitycheck', 'run_check', [[action['res_id']]])
        self.assertEqual(result['tag'], 'display_notification')

        self.env.invalidate_all()
        self.assertFalse(self.portal_user.totp_enabled, "the secret is cleared")
        self.assertEqual(self.portal_user.portal_mfa_backup_code_count, 0, "the backup codes are cleared")
        self.assertFalse(self.env['res.users.backup.code'].sudo().search([('user_id', '=', self.portal_user.id)]))
        self.assertFalse(self.portal_user.sudo().totp_trusted_device_ids)
        note = self.portal_partner.message_ids.filtered(lambda m: 'reset by' in (m.body or ''))
        self.assertEqual(len(note), 1)
        self.assertIn(self.admin.name, note.body)
        self.assertEqual(note.subtype_id, self.env.ref('mail.mt_note'))
        mail = (
            self.env['mail.mail']
            .sudo()
            .search(
                [
                    ('recipient_ids', 'in', self.portal_partner.ids),
                    ('subject', '=', "Your multi-factor authentication was reset"),
                ]
            )
        )
        self.assertEqual(len(mail), 1, "the customer is emailed")

        # The customer's session has ended.
        self.opener.cookies.clear()
        self.opener.cookies.update(customer_cookies)
        self._assert_not_signed_in("the customer's sessions end")
        # The customer must enroll again; the old codes no longer work.
        self._logout()
        response = self._login(self.portal_user.login, self.portal_password)
        self.assertIn('/web/login/totp/enroll', response.headers['Location'])
        response = self._post_second_factor(codes[0])
        self._assert_not_signed_in()

    def test_reset_access(self):
        """Only administrators may reset a customer's MFA on the model."""
        self._set_secret(self.portal_user)
        partner = self.portal_partner
        with self.assertRaises(AccessError):
            partner.with_user(self.employee).action_reset_portal_mfa()
        with self.assertRaises(AccessError):
            partner.with_user(self.portal_user).action_reset_portal_mfa()
        self.assertTrue(self.portal_user.totp_enabled)

    @mute_logger('odoo.http')
    def test_reset_access_over_http(self):
        """An employee's reset request over RPC is refused."""
        self._set_secret(self.portal_user)
        self._login(self.employee.login, 'Employee-pass-2')
        response = self.url_open(
            '/web/dataset/call_kw',
            data=json.dumps(
                {
                    'jsonrpc': '2.0',
                    'method': 'call',
                    'id': 1,
                    'params': {
                        'model': 'res.partner',
                        'method': 'action_reset_portal_mfa',
                        'args': [[self.portal_partner.id]],
                        'kwargs': {},
                    },
                }
            ),
            headers={'Content-Type': 'application/json'},
        )
        self.assertIn('AccessError', response.json()['error']['data']['name'])
        self.assertTrue(self.portal_user.totp_enabled)

    def test_reset_button_on_contact_form(self):
        """The reset button is on the contact form for administrators only."""
        arch = self.env['res.partner'].with_user(self.admin).get_views([(False, 'form')])['views']['form']['arch']
        self.assertIn('action_reset_portal_mfa', arch)
        arch = self.env['res.partner'].with_user(self.employee).get_views([(False, 'form')])['views']['form']['arch']
        self.assertNotIn('action_reset_portal_mfa', arch)

    def test_reset_then_signin_with_code_refused(self):
        """After a reset, the old app's code no longer signs in: enrollment is asked."""
        secret = self._set_secret(self.portal_user)
        # Directly on the model (the identity check is the button's job, tested above).
        self.portal_user._portal_mfa_reset()
        self._login(self.portal_user.login, self.portal_password)
        response = self._get('/web/login/totp')
        self.assertIn('/web/login/totp/enroll', response.headers['Location'])
        # The second-factor page does not take the old app's code.
        response = self._post_second_factor(totp_code(secret))
        self._assert_not_signed_in()

    # -- only where there is something to reset (issue 8, item 21) -------

    def test_reset_refused_without_mfa(self):
        """A customer who never set MFA up cannot be reset and the status says so."""
        partner = self.portal_partner.with_user(self.admin)
        self.assertFalse(partner.portal_mfa_enabled, "no button: the customer never set MFA up")
        self.assertEqual(partner.portal_mfa_status, "Not set up")
        with self.assertRaisesRegex(UserError, "has not set up multi-factor authentication"):
            partner.action_reset_portal_mfa()
        employee_partner = self.employee.partner_id.with_user(self.admin)
        self.assertFalse(employee_partner.portal_mfa_enabled)
        self.assertFalse(employee_partner.portal_mfa_has_portal_user, "no MFA line for an employee")
        self.assertFalse(employee_partner.portal_mfa_status)
        with self.assertRaisesRegex(UserError, "has no portal access"):
            employee_partner.action_reset_portal_mfa()
        mails = self.env['mail.mail'].sudo().search([('subject', '=', "Your multi-factor authentication was reset")])
        self.assertFalse(mails, "nobody was told of a reset that did not happen")

    def test_status_after_enrollment(self):
        """After enrollment, the contact shows MFA enabled and since when."""
        self._enroll()
        self.env.invalidate_all()
        self.assertTrue(self.portal_user.portal_mfa_setup_date, "enrollment records when")
        partner = self.portal_partner.with_user(self.admin)
        self.assertTrue(partner.portal_mfa_enabled)
        today = format_date(
            self.env, fields.Datetime.context_timestamp(partner, self.portal_user.portal_mfa_setup_date).date()
        )
        self.assertEqual(partner.portal_mfa_status, f"Set up on {today}")
        self.portal_user._portal_mfa_reset()
        self.env.invalidate_all()
        self.assertFalse(self.portal_user.portal_mfa_setup_date)
        self.assertEqual(partner.portal_mfa_status, "Not set up")

    def test_setup_date_from_my_security(self):
        """Set up from /my/security (auth_totp's wizard) records the date too."""
        self.company.portal_enforce_mfa = False
        secret = totp.generate_secret()
        user = self.portal_user.with_user(self.portal_user)
        # As auth_totp's wizard calls it: the code as an int.
        self.assertTrue(user._totp_try_setting(secret, int(totp_code(secret))))
        self.assertTrue(self.portal_user.portal_mfa_setup_date)
        self.assertEqual(self.portal_partner.with_user(self.admin).portal_mfa_enabled, True)

    def test_reset_button_only_with_mfa(self):
        """The reset button shows only when the customer has MFA."""
        arch = self.env['res.partner'].with_user(self.admin).get_views([(False, 'form')])['views']['form']['arch']
        self.assertRegex(arch, r'name="action_reset_portal_mfa"[^>]*invisible="not portal_mfa_enabled"')
        self.assertIn('name="portal_mfa_status"', arch)

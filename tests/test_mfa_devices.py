# Part of customer_portal. See LICENSE file for full copyright and licensing details.
import re
from datetime import datetime, timedelta

from odoo.tests import tagged

from .common_mfa import MfaHttpCase, totp_code

TRUSTED_DEVICE_COOKIE = 'td_id'


@tagged('post_install', '-at_install')
class TestMfaTrustedDevices(MfaHttpCase):
    """ "Don't ask again on this device": any User-Agent, and the company's choice of how long."""

    def setUp(self):
        super().setUp()
        self.secret = self._set_secret(self.portal_user)

    def _devices(self):
        return self.env['auth_totp.device'].sudo().search([('user_id', '=', self.portal_user.id)])

    def _sign_in_remembering(self):
        """Password, then the code with "Don't ask again on this device" ticked."""
        self._login(self.portal_user.login, self.portal_password)
        response = self._post_second_factor(totp_code(self.secret), remember='1')
        self.assertEqual(response.status_code, 303, "signed in")
        self._assert_signed_in(self.portal_user)
        return response

    def _cookie_max_age(self, response):
        """Max-Age of the trusted-device cookie set by ``response``, or None."""
        for header in response.raw.headers.getlist('Set-Cookie'):
            if header.startswith(TRUSTED_DEVICE_COOKIE + '='):
                match = re.search(r'Max-Age=(\d+)', header)
                return int(match.group(1)) if match else None
        return None

    def _password_only_signs_in(self):
        """Sign out, sign in with the password: whether the device spares the code."""
        self._logout()
        self._login(self.portal_user.login, self.portal_password)
        response = self._get('/web/login/totp')
        if response.status_code == 303:
            self._assert_signed_in(self.portal_user)
            return True
        self.assertEqual(response.status_code, 200)
        self.assertIn('name="totp_token"', response.text, "the code is asked")
        self._assert_not_signed_in()
        return False

    def test_unparseable_user_agent(self):
        """A script or an unusual browser may ask to be remembered: never a 500, the device is
        named from what is known."""
        self.opener.headers['User-Agent'] = 'Frobnicator/3.1 (X11; Linux x86_64)'
        response = self._sign_in_remembering()
        self.assertTrue(response.cookies.get(TRUSTED_DEVICE_COOKIE), "the device is remembered")
        self.assertEqual(self._devices().mapped('name'), ["Unknown browser on Linux"])
        self.assertTrue(self._password_only_signs_in(), "the remembered device skips the code")

        self._logout()
        self.opener.cookies.clear()
        self._reset_last_step(self.portal_user)
        self.opener.headers['User-Agent'] = 'customer-script/1.0'
        self._sign_in_remembering()
        self.assertIn("Unknown browser on an unknown system", self._devices().mapped('name'))

    def test_default_as_stock(self):
        """By default a device is remembered for 90 days, as in stock Odoo."""
        self.assertEqual(self.company.portal_mfa_device_days, '90')
        page = self._login(self.portal_user.login, self.portal_password)
        page = self.url_open('/web/login/totp')
        self.assertIn('name="remember"', page.text, "Don't ask again is offered")
        response = self.url_open(
            '/web/login/totp',
            data={
                'csrf_token': self._csrf(page),
                'totp_token': totp_code(self.secret),
                'remember': '1',
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self._cookie_max_age(response), 90 * 86400, "90 days, as stock")
        device = self._devices()
        self.assertAlmostEqual(device.expiration_date, datetime.now() + timedelta(days=90), delta=timedelta(minutes=5))

    def test_shorter_lifetime(self):
        """A shorter lifetime set by the company applies to the cookie and the device."""
        self.company.portal_mfa_device_days = '7'
        response = self._sign_in_remembering()
        self.assertEqual(self._cookie_max_age(response), 7 * 86400)
        device = self._devices()
        self.assertAlmostEqual(device.expiration_date, datetime.now() + timedelta(days=7), delta=timedelta(minutes=5))
        self.assertTrue(self._password_only_signs_in())
        # A device remembered longer ago than the company now allows is not trusted any more.
        self.env.cr.execute(
            "UPDATE auth_totp_device SET create_date = create_date - interval '8 days' WHERE id = %s", (device.id,)
        )
        self.assertFalse(self._password_only_signs_in(), "8 days old: the code is asked")

    def test_never(self):
        """With "never", Don't ask again is not offered and a device remembered before is not trusted."""
        # A device remembered while it was allowed.
        self._sign_in_remembering()
        cookie = self.opener.cookies.get(TRUSTED_DEVICE_COOKIE)
        self.assertTrue(cookie)

        self.company.portal_mfa_device_days = '0'
        self.assertFalse(self._password_only_signs_in(), "the cookie is refused on the server")
        page = self.url_open('/web/login/totp')
        self.assertNotIn('name="remember"', page.text, "Don't ask again is not offered")
        self.assertNotIn("Don't ask again", page.text)

        # A client that sends it anyway is signed in, but nothing is remembered.
        self._reset_last_step(self.portal_user)
        response = self.url_open(
            '/web/login/totp',
            data={
                'csrf_token': self._csrf(page),
                'totp_token': totp_code(self.secret),
                'remember': '1',
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertIsNone(self._cookie_max_age(response), "no trusted-device cookie")
        self.assertNotIn(TRUSTED_DEVICE_COOKIE, response.cookies)
        self.assertEqual(len(self._devices()), 1, "no new device")

        # The old device was only refused, not forgotten: trusted again once allowed.
        self.company.portal_mfa_device_days = '90'
        self.assertTrue(self._password_only_signs_in())

    def test_employee_as_stock(self):
        """The company's choice is for portal users: an employee with an app is remembered as stock."""
        self.company.portal_mfa_device_days = '0'
        employee = self.env['res.users'].create(
            {
                'name': "Erin Employee",
                'login': 'mfa_devices_emp',
                'password': 'Employee-pass-9',
                'email': 'erin@example.com',
                'company_id': self.company.id,
                'company_ids': [(6, 0, self.company.ids)],
            }
        )
        self.assertEqual(employee._portal_mfa_device_lifetime(), timedelta(days=90))
        self.assertIsNone(self.portal_user._portal_mfa_device_lifetime())

    def test_setting(self):
        """The device lifetime is a setting of the company, on the Settings page."""
        settings = self.env['res.config.settings'].create({'portal_mfa_device_days': '30'})
        settings.execute()
        self.assertEqual(self.company.portal_mfa_device_days, '30')
        arch = self.env['res.config.settings'].get_views([(False, 'form')])['views']['form']['arch']
        self.assertIn('name="portal_mfa_device_days"', arch)

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Helpers of the MFA tests: they sign in for real (POST /web/login with the page's CSRF
token, then the second-factor pages), never with HttpCase.authenticate()."""

import html
import re

from requests.adapters import HTTPAdapter

from odoo import http

from ..tools import totp
from .common import PortalHttpCase

# security.md: anything but 6 ASCII digits (after spaces) is refused with the normal answer.
HOSTILE_CODES = [
    '',
    ' ',
    '12345',
    '1234567',
    '123_456',
    '+123456',
    '-12345',
    '12345.',
    '0x1e24',
    '1e5',
    '１２３４５６',
    '١٢٣٤٥٦',
    '۱۲۳۴۵۶',
    '\t123456',
    '12\u00a03456',
    '1' * 10240,
    'a' * 10240,
    '["123456"]',
    '{"totp_token": "123456"}',
    '[]',
    '{}',
    'null',
    '%00',
    '123456\x00',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '123456\n',
    '{"code": "123456"}',
]
SECRET_RE = re.compile(r'<span name="secret"[^>]*>([A-Z2-7 ]+)</span>')
BACKUP_CODE_RE = re.compile(r'<li class="col o_cp_mfa_backup_code">([0-9a-z-]+)</li>')


class SourceAddressAdapter(HTTPAdapter):
    """Sends the requests from another loopback address: a second client IP for the server."""

    def __init__(self, source_address, **kwargs):
        self._source_address = source_address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs['source_address'] = (self._source_address, 0)
        return super().init_poolmanager(*args, **kwargs)


def totp_code(secret, delta=0):
    """The code of ``secret`` for the current time step + ``delta``."""
    return totp.code_at_step(secret, totp.time_step() + delta)


class MfaHttpCase(PortalHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.portal_enforce_mfa = True
        cls.portal_password = 'Portal-MFA-pass-1'
        cls.portal_user = cls._new_portal_user(
            'mfa_portal',
            password=cls.portal_password,
            name="Marta Portal",
            email='marta.portal@example.com',
        )
        cls.portal_partner = cls.portal_user.partner_id

    def setUp(self):
        super().setUp()
        # Odoo's own login cooldown counts per IP address in this process' memory; these tests
        # check ours (per account, in the database), so start each test from a clean slate.
        self._clear_ip_cooldown()

    def _clear_ip_cooldown(self):
        failures = getattr(self.registry, '_login_failures', None)
        if failures is not None:
            failures.clear()

    # -- helpers -------------------------------------------------------

    def _csrf(self, response):
        return self._csrf_token(response.text)

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def _post_form(self, url, data):
        """GET ``url`` for its CSRF token, then POST ``data`` to it (no redirects followed)."""
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200, url)
        return self.url_open(url, data=dict(data, csrf_token=self._csrf(page)), allow_redirects=False)

    def _login(self, login, password, redirect=None):
        """POST /web/login as a browser does; return the response (not followed)."""
        data = {'login': login, 'password': password}
        if redirect:
            data['redirect'] = redirect
        return self._post_form('/web/login', data)

    def _logout(self):
        self.url_open('/web/session/logout', allow_redirects=False)
        self.opener.cookies.pop('session_id', None)

    def _post_second_factor(self, code, **extra):
        return self._post_form('/web/login/totp', dict(extra, totp_token=code))

    def _enroll_page(self):
        page = self.url_open('/web/login/totp/enroll')
        self.assertEqual(page.status_code, 200)
        match = SECRET_RE.search(page.text)
        self.assertTrue(match, "the enrollment page shows the key as text")
        return page, match.group(1).replace(' ', '')

    def _submit_enrollment(self, page, code):
        """Send the enrollment form of ``page`` with ``code``, as the customer's browser does."""
        return self.url_open(
            '/web/login/totp/enroll',
            data={'csrf_token': self._csrf(page), 'totp_token': code},
            allow_redirects=False,
        )

    def _enroll(self, login=None, password=None):
        """Sign in with the password and enroll; return (secret, backup codes)."""
        response = self._login(login or self.portal_user.login, password or self.portal_password)
        self.assertIn('/web/login/totp/enroll', response.headers.get('Location', ''))
        page, secret = self._enroll_page()
        response = self._submit_enrollment(page, totp_code(secret))
        self.assertEqual(response.status_code, 200)
        codes = [html.unescape(code) for code in BACKUP_CODE_RE.findall(response.text)]
        self.assertEqual(len(codes), 10, "ten backup codes are shown")
        return secret, codes

    def _call_kw(self, model, method, args, kwargs=None):
        """Call a model's method by JSON-RPC, as the web client does; raises JsonRpcException on error."""
        return self.make_jsonrpc_request(
            '/web/dataset/call_kw',
            {'model': model, 'method': method, 'args': args, 'kwargs': kwargs or {}},
        )

    def _set_secret(self, user, secret=None):
        """Give ``user`` an authenticator app (as enrollment does), without signing in."""
        secret = secret or totp.generate_secret()
        user.sudo().totp_secret = secret
        return secret

    def _reset_last_step(self, user):
        """Forget the last accepted step, to sign in again in the same 30 s."""
        self.env.cr.execute("UPDATE res_users SET totp_last_step = NULL WHERE id = %s", (user.id,))

    def _clear_attempts(self, user):
        self.env['res.users.mfa.attempt'].sudo().search([('user_id', '=', user.id)]).unlink()

    def _assert_not_signed_in(self, message="the session is not signed in"):
        response = self._get('/my')
        self.assertEqual(response.status_code, 303, message)
        self.assertIn('/web/login', response.headers['Location'], message)

    def _assert_signed_in(self, user):
        response = self._get('/my')
        self.assertEqual(response.status_code, 200, "the session is signed in")
        self.assertIn(user.name, response.text, "as this user")

    def _use_second_address(self, address='127.0.0.2'):
        """Send the next requests from another client IP address."""
        self.opener.mount(self.base_url(), SourceAddressAdapter(address))
        self.addCleanup(self.opener.mount, self.base_url(), HTTPAdapter())

    def _use_first_address(self):
        self.opener.mount(self.base_url(), HTTPAdapter())

    def _install_totp_code_route(self):
        """A route computing the current code of a secret, for the tours only (as auth_totp's
        own tests do): it exists only while the test runs."""
        from odoo.addons.customer_portal.controllers.mfa import Home as MfaHome

        def customer_portal_test_totp_code(self, secret):
            return totp_code(secret)

        customer_portal_test_totp_code.routing_type = 'json'
        self.env.registry.clear_cache('routing')
        MfaHome.customer_portal_test_totp_code = http.route(
            '/customer_portal/test/totp_code', type='json', auth='none'
        )(customer_portal_test_totp_code)

        @self.addCleanup
        def _cleanup():
            del MfaHome.customer_portal_test_totp_code
            self.env.registry.clear_cache('routing')

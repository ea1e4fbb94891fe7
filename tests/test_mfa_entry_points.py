# Part of customer_portal. See LICENSE file for full copyright and licensing details.
import json
import re
from xmlrpc.client import Fault

from odoo.tests import get_db_name, new_test_user, tagged
from odoo.tools import mute_logger

from .common_mfa import MfaHttpCase


@tagged('post_install', '-at_install')
class TestMfaEntryPoints(MfaHttpCase):
    """M6: every way in needs the second factor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.totp_user = new_test_user(
            cls.env,
            login='mfa_portal_totp',
            groups='base.group_portal',
            password='Totp-pass-12',
            company_id=cls.company.id,
        )
        if not cls.company.portal_slug:
            cls.company.portal_slug = 'mfa-entry-points'

    def setUp(self):
        super().setUp()
        self.secret = self._set_secret(self.totp_user)

    def _session_authenticate(self, login, password):
        payload = {
            'jsonrpc': '2.0',
            'method': 'call',
            'id': 0,
            'params': {'db': get_db_name(), 'login': login, 'password': password},
        }
        response = self.url_open(
            '/web/session/authenticate', data=json.dumps(payload), headers={'Content-Type': 'application/json'}
        )
        return response.json()['result']

    @mute_logger('odoo.http')
    def test_session_authenticate(self):
        """/web/session/authenticate with the password alone does not sign in."""
        for user, password in ((self.portal_user, self.portal_password), (self.totp_user, 'Totp-pass-12')):
            with self.subTest(user=user.login):
                self.assertEqual(self._session_authenticate(user.login, password), {'uid': None})
                self._assert_not_signed_in()
                self._logout()

    @mute_logger('odoo.http')
    def test_rpc_with_password_refused(self):
        """XML-RPC and JSON-RPC refuse the password alone while MFA is enforced."""
        for user, password in ((self.portal_user, self.portal_password), (self.totp_user, 'Totp-pass-12')):
            with self.subTest(user=user.login):
                self.assertFalse(self.xmlrpc_common.authenticate(get_db_name(), user.login, password, {}))
                self.assertFalse(
                    self.xmlrpc_common.authenticate(get_db_name(), user.login, password, {'interactive': True})
                )
                with self.assertRaisesRegex(Fault, 'Access Denied'):
                    self.xmlrpc_object.execute_kw(get_db_name(), user.id, password, 'res.partner', 'search', [[]])
                # JSON-RPC
                response = self.url_open(
                    '/jsonrpc',
                    data=json.dumps(
                        {
                            'jsonrpc': '2.0',
                            'method': 'call',
                            'id': 1,
                            'params': {
                                'service': 'common',
                                'method': 'authenticate',
                                'args': [get_db_name(), user.login, password, {}],
                            },
                        }
                    ),
                    headers={'Content-Type': 'application/json'},
                )
                self.assertFalse(response.json()['result'])
        # P3 off: a portal user without TOTP may use RPC again (nothing new enforced), one with
        # TOTP may not (as stock Odoo).
        self.company.portal_enforce_mfa = False
        self.assertEqual(
            self.xmlrpc_common.authenticate(get_db_name(), self.portal_user.login, self.portal_password, {}),
            self.portal_user.id,
        )
        self.assertFalse(self.xmlrpc_common.authenticate(get_db_name(), self.totp_user.login, 'Totp-pass-12', {}))

    def test_signup_auto_login(self):
        """Signing up does not sign in before the second factor: enrollment comes first."""
        self.env['ir.config_parameter'].sudo().set_param('auth_signup.invitation_scope', 'b2c')
        response = self._post_form(
            '/web/signup',
            {
                'login': 'mfa.signup@example.com',
                'name': "Sig Nup",
                'password': 'Signup-pass-1',
                'confirm_password': 'Signup-pass-1',
                'redirect': '/my',
            },
        )
        user = self.env['res.users'].search([('login', '=', 'mfa.signup@example.com')])
        self.assertTrue(user, "the account was made")
        self.assertTrue(user._portal_mfa_is_enforced())
        self.assertEqual(response.status_code, 303)
        self.assertIn('/web/login/totp/enroll', response.headers['Location'])
        self._assert_not_signed_in("sign-up does not sign in before the second factor")

    def test_reset_password_auto_login(self):
        """Resetting the password does not sign in before the second factor."""
        for user in (self.portal_user, self.totp_user):
            with self.subTest(user=user.login):
                self._logout()
                user.partner_id.sudo().signup_prepare(signup_type='reset')
                token = user.partner_id.sudo()._generate_signup_token()
                response = self._post_form(
                    f'/web/reset_password?token={token}',
                    {
                        'token': token,
                        'login': user.login,
                        'password': 'New-pass-123',
                        'confirm_password': 'New-pass-123',
                    },
                )
                self.assertEqual(response.status_code, 303)
                self.assertIn('/web/login/totp', response.headers['Location'])
                self._assert_not_signed_in("password reset does not sign in before the second factor")

    def _half_signed_in_routes(self):
        """(url, type, auth, methods, ours) of every route of customer_portal and every /my and /portal
        route, read from the routing map, with sample values for their arguments."""
        slug = self.company.portal_slug
        self.assertTrue(slug, "the company has a portal address")
        samples = [
            (re.compile(r'<int(?:\([^)]*\))?:\w+>'), '1'),
            (re.compile(r'<string(?:\([^)]*\))?:slug>'), slug),
            (re.compile(r'<any\((\w+)[^)]*\):\w+>'), r'\1'),  # the first value it accepts
            (re.compile(r'<[^>]+>'), '1'),
        ]
        routes = {}
        for rule in self.env['ir.http'].routing_map().iter_rules():
            endpoint = rule.endpoint
            func = getattr(endpoint, 'func', endpoint)
            ctrl, name = getattr(func, '__self__', None), getattr(func, '__name__', '')
            ours = ctrl is not None and any(
                cls.__module__.startswith('odoo.addons.customer_portal.') and name in vars(cls)
                for cls in type(ctrl).__mro__
            )
            if not (ours or rule.rule.startswith(('/my', '/portal/'))):
                continue
            if rule.rule.startswith('/web/login') or rule.rule.startswith('/customer_portal/test/'):
                continue  # the sign-in pages themselves
            url = rule.rule
            for pattern, value in samples:
                url = pattern.sub(value, url)
            routing = endpoint.routing
            routes[url] = (routing['type'], routing['auth'], routing.get('methods'), ours)
        return routes

    @mute_logger('odoo.http', 'odoo.addons.http_routing.models.ir_http')
    def test_half_signed_in_route_matrix(self):
        """A half-signed-in session reaches nothing but the second-factor pages: every route of
        ours and every /my and /portal route (from the routing map), /web, /odoo and the RPC."""
        routes = self._half_signed_in_routes()
        for url in (
            '/my',
            '/my/invoices',
            '/my/payments',
            '/my/statement',
            '/my/credit_notes',
            '/my/security',
            '/my/security/backup_codes',
            '/my/invoices/pay',
            '/my/banner/preview',
            '/my/invoices/pay/transaction',
            f'/portal/{self.company.portal_slug}',
        ):
            self.assertIn(url, routes, "the matrix covers it")
        for user, password, page in (
            (self.portal_user, self.portal_password, '/web/login/totp/enroll'),
            (self.totp_user, 'Totp-pass-12', '/web/login/totp'),
        ):
            with self.subTest(user=user.login):
                self._logout()
                response = self._login(user.login, password)
                self.assertTrue(response.headers['Location'].startswith(page))
                csrf = self._csrf(self.url_open(page))
                private = [value for value in (user.login, user.email, user.name) if value]
                for url, (route_type, auth, methods, ours) in sorted(routes.items()):
                    with self.subTest(url=url):
                        if route_type == 'json':
                            response = self.url_open(
                                url,
                                data=json.dumps({'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': {}}),
                                headers={'Content-Type': 'application/json'},
                                allow_redirects=False,
                            )
                            if auth == 'user':
                                self.assertIn('SessionExpired', response.json()['error']['data']['name'], url)
                        elif methods and 'GET' not in methods:
                            response = self.url_open(url, data={'csrf_token': csrf}, allow_redirects=False)
                        else:
                            response = self._get(url)
                        if ours:
                            # (Some stock routes answer 500 to anyone when a parameter is
                            # missing, e.g. sale's /my/orders/<id>/document/<id>: not ours.)
                            self.assertLess(response.status_code, 500, url)
                        if route_type == 'http' and auth == 'user' and response.status_code != 405:
                            self.assertIn(response.status_code, (302, 303), url)
                            self.assertIn('/web/login', response.headers['Location'], url)
                        for value in private:
                            self.assertNotIn(value, response.text, f"{url} shows nothing of the user")
                for url in ('/web', '/odoo', '/odoo/action-base.action_partner_form', '/web/login_successful'):
                    response = self._get(url)
                    self.assertIn(response.status_code, (302, 303), url)
                    self.assertIn('/web/login', response.headers['Location'], url)
                for route, params in (
                    (
                        '/web/dataset/call_kw',
                        {
                            'model': 'res.partner',
                            'method': 'search_read',
                            'args': [[]],
                            'kwargs': {'fields': ['name', 'email'], 'limit': 5},
                        },
                    ),
                    (
                        '/web/dataset/call_kw/res.users/read',
                        {'model': 'res.users', 'method': 'read', 'args': [[user.id], ['login']], 'kwargs': {}},
                    ),
                    ('/web/session/get_session_info', {}),
                    ('/web/action/load', {'action_id': 'base.action_partner_form'}),
                ):
                    response = self.url_open(
                        route,
                        data=json.dumps(
                            {
                                'jsonrpc': '2.0',
                                'method': 'call',
                                'id': 1,
                                'params': params,
                            }
                        ),
                        headers={'Content-Type': 'application/json'},
                    )
                    body = response.json()
                    self.assertNotIn('result', body, route)
                    self.assertIn('SessionExpired', body['error']['data']['name'], route)
                    for value in private:
                        self.assertNotIn(value, response.text, route)
                # The public session info does not leak the pending user either.
                self.assertNotIn(user.login, self.url_open('/web/login').text)
                # And the session is still only half signed in: the code page still asks.
                self.assertEqual(self._get(page).status_code, 200)

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Issue 21: the security headers missing on portal pages, public links and sign-in pages."""

import re

from odoo.tests import tagged

from .common_mfa import MfaHttpCase, totp_code
from .common_portal_security import PortalSecurityCommon, _is_ours

FRAME_OPTIONS = ('DENY', 'SAMEORIGIN')
REFERRER_POLICIES = ('no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin')
# Where the URL holds a token, no Referer carries that URL anywhere but to the portal itself.
TOKEN_REFERRER_POLICIES = ('no-referrer', 'same-origin')


class SecurityHeadersAssertions:
    def _assert_security_headers(self, response, url, token_in_url=False):
        headers = response.headers
        self.assertIn(headers.get('X-Frame-Options'), FRAME_OPTIONS, url)
        self.assertRegex(headers.get('Content-Security-Policy', ''), r"frame-ancestors ('self'|'none')", url)
        self.assertEqual(headers.get('X-Content-Type-Options'), 'nosniff', url)
        policies = REFERRER_POLICIES if not token_in_url else TOKEN_REFERRER_POLICIES
        self.assertIn(headers.get('Referrer-Policy'), policies, url)


@tagged('post_install', '-at_install')
class TestPortalSecurityHeaders(SecurityHeadersAssertions, PortalSecurityCommon):
    """Anti-framing, referrer and no-sniff headers on every portal and public-link page."""

    def _our_page_routes(self):
        """Every GET page of the addon found in the routing map (as the hostile-input test does),
        with the ids of customer A's documents."""
        docs = self.docs['A']
        ids = {
            'invoice_id': docs['invoice'].id,
            'credit_note_id': docs['credit_note'].id,
            'payment_id': docs['payment'].id,
            'page': 1,
            'order_id': docs['order'].id,
        }
        urls = []
        for rule in self.env['ir.http'].routing_map().iter_rules():
            routing = rule.endpoint.routing
            methods = routing.get('methods') or ['GET']
            if routing['type'] != 'http' or 'GET' not in methods or not _is_ours(rule):
                continue
            if rule.arguments - set(ids):
                continue
            url = rule.rule
            for argument in rule.arguments:
                url = re.sub(r'<[^>]*:?%s>' % argument, str(ids[argument]), url)
            urls.append(url)
        return sorted(set(urls))

    def test_portal_pages_carry_the_headers(self):
        """Every portal page carries the anti-framing, referrer and no-sniff headers."""
        user = self.portal_user_1
        self.authenticate(user.login, user.login)
        docs = self.docs['A']
        urls = self._our_page_routes()
        self.assertIn('/my/statement', urls)
        urls += [
            '/my',
            '/my/home',
            '/my/invoices',
            f'/my/invoices/{docs["invoice"].id}',
            '/my/invoices/pay',
            f'/my/invoices/pay?invoice_ids={docs["invoice"].id}',
            '/my/credit_notes',
            '/my/payments',
            '/my/statement',
            '/my/retainer_invoices',
            '/my/orders',
            f'/my/orders/{docs["order"].id}',
            '/my/account',
            '/my/security',
            '/my/payment_method',
            '/my/no-such-page',
            f'/my/invoices/{docs["invoice"].id}?report_type=html',
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertLess(response.status_code, 500, url)
                self._assert_security_headers(response, url)
        response = self.url_open(f'/my/invoices/{docs["invoice"].id}')
        self.assertIn('Pay Now', response.text)
        self._assert_security_headers(response, 'invoice with its Pay button')

    def test_public_links_and_sign_in_pages_carry_the_headers(self):
        """Public links and sign-in pages carry the headers; a token's URL is never sent as referrer."""
        self.authenticate(None, None)
        docs = self.docs['A']
        invoice = docs['invoice']
        link_token = self._generate_test_access_token(invoice.partner_id.id, 100.0, invoice.currency_id.id)
        token_urls = [
            f'/my/invoices/{invoice.id}?access_token={invoice.access_token}',
            f'/my/invoices/{invoice.id}?access_token={invoice.access_token}&report_type=html',
            f'/my/credit_notes/{docs["credit_note"].id}?access_token={docs["credit_note"].access_token}',
            f'/my/orders/{docs["order"].id}?access_token={docs["order"].access_token}',
            f'/payment/pay?invoice_id={invoice.id}&amount=100.0&access_token={link_token}',
            f'/my/invoices/{invoice.id}?access_token=%C2%BF',
            f'/payment/pay?invoice_id={invoice.id}&amount=100.0&access_token=wrong',
        ]
        for url in token_urls:
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertLess(response.status_code, 500, url)
                self._assert_security_headers(response, url, token_in_url=True)
        response = self.url_open(token_urls[0])
        self.assertIn(invoice.name, response.text)
        self.assertIn('Pay Now', response.text)
        for url in (
            '/web/login',
            f'/portal/{self.company.portal_slug}',
            '/web/reset_password',
            '/web/signup',
            '/my',
            '/my/invoices',
            '/web/login/totp',
            '/web/login/totp/enroll',
            '/my/no-such-page',
        ):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertLess(response.status_code, 500, url)
                self._assert_security_headers(response, url)
        # Backend assets are left alone.
        response = self.url_open('/web/webclient/version_info', data='{}', headers={'Content-Type': 'application/json'})
        self.assertNotIn('X-Frame-Options', response.headers)


@tagged('post_install', '-at_install')
class TestPortalSecurityHeadersSignIn(SecurityHeadersAssertions, MfaHttpCase):
    """The sign-in and second-factor pages, reached for real (password, then the TOTP pages)."""

    def test_sign_in_and_second_factor_pages_carry_the_headers(self):
        """The sign-in, enrollment and second-factor pages carry the headers."""
        page = self.url_open('/web/login')
        self._assert_security_headers(page, '/web/login')
        response = self._login(self.portal_user.login, self.portal_password)
        self.assertIn('/web/login/totp/enroll', response.headers.get('Location', ''))
        page, secret = self._enroll_page()
        self._assert_security_headers(page, 'enrollment')
        response = self._submit_enrollment(page, totp_code(secret))
        self.assertIn('o_cp_mfa_backup_code', response.text)
        self._assert_security_headers(response, 'backup codes')
        self._logout()
        self._reset_last_step(self.portal_user)
        response = self._login(self.portal_user.login, self.portal_password)
        self.assertIn('/web/login/totp', response.headers.get('Location', ''))
        page = self.url_open('/web/login/totp')
        self.assertEqual(page.status_code, 200)
        self._assert_security_headers(page, '/web/login/totp')
        response = self._post_second_factor('000000' if totp_code(secret) != '000000' else '111111')
        self._assert_security_headers(response, 'wrong code')
        response = self._post_second_factor('¿' * 10)
        self.assertLess(response.status_code, 500)
        self._assert_security_headers(response, 'malformed code')

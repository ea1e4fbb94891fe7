# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Accessibility gate: axe-core (the engine behind Lighthouse's accessibility score) over every page a
demo customer reaches, stock pages the addon renders through and pages of ours, in the tours' headless
Chromium, at phone (390 px) and desktop (1366 px) width. Zero violations of WCAG 2.1 A and AA, and of
the rules Lighthouse's accessibility score adds to them: heading order, touch targets of 24 px (WCAG 2.2),
no positive tabindex, headers of every data cell, skip links that lead somewhere.

A new page of ours joins ``_customer_pages`` (or ``_visitor_pages``) in the commit that adds it.
axe-core is installed at its pinned version by ``scripts/portalctl.py test`` (``.data/axe``), which
passes its path in CP_AXE_JS.
"""

import base64
import json
import logging
import os
from pathlib import Path

from odoo.tests import tagged
from odoo.tests.common import HOST, TEST_CURSOR_COOKIE_NAME, ChromeBrowser

from .common import PortalHttpCase

_logger = logging.getLogger(__name__)

WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
EXTRA_RULES = ['heading-order', 'target-size', 'tabindex', 'td-has-header', 'skip-link']
WIDTHS = {'phone': '390x844', 'desktop': '1366x768'}
DEMO_PASSWORD = 'portal-demo'
AXE_RUN = """(async () => {
    await new Promise(resolve => setTimeout(resolve, 300));  // let the page's own scripts settle
    // and what it loads after the page (the home's cards) arrive: audited as the customer sees them
    for (let i = 0; i < 100 && document.querySelector('[aria-busy="true"]'); i++) {
        await new Promise(resolve => setTimeout(resolve, 100));
    }
    const results = await axe.run(document, {
        runOnly: {type: 'tag', values: %s}, rules: %s, resultTypes: ['violations'],
    });
    return JSON.stringify({
        path: window.location.pathname,
        violations: results.violations.map(v => ({
            rule: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.map(node => node.target.join(' ')),
            summaries: v.nodes.map(node => node.failureSummary),
        })),
    });
})()""" % (json.dumps(WCAG_TAGS), json.dumps({rule: {'enabled': True} for rule in EXTRA_RULES}))


def axe_source():
    path = Path(
        os.environ.get('CP_AXE_JS')
        or Path(__file__).resolve().parent.parent / '.data' / 'axe' / 'node_modules' / 'axe-core' / 'axe.min.js'
    )
    if not path.exists():
        raise AssertionError(
            f"axe-core is missing at {path}: run the tests with `python3 scripts/portalctl.py test`, "
            "which installs it (npm)"
        )
    return path.read_text(encoding='utf-8')


@tagged('post_install', '-at_install', 'accessibility')
class TestAccessibility(PortalHttpCase):
    """Each page, at each width: axe's WCAG 2.1 A/AA rules find nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emma = cls.env.ref('customer_portal.user_emma_wilson', raise_if_not_found=False)
        if not cls.emma:
            raise AssertionError(
                "the accessibility audit runs on the demo data (a demo customer's real pages): "
                "install with demo data, as scripts/portalctl.py test does"
            )
        cls.company = cls.emma.company_id
        cls.company.write(
            {
                'portal_bulk_payment': True,
                'portal_display_credit_notes': True,
                'portal_enforce_mfa': False,
                'portal_allow_forward': True,
            }
        )
        cls.axe = axe_source()

    # -- pages ---------------------------------------------------------

    def _customer_pages(self):
        """Every page the signed-in demo customer reaches, with real documents on it."""
        env = self.env
        customer = self.emma.partner_id.commercial_partner_id
        self.company.portal_allow_uploads = True  # My Details (P8, C13)
        Move = env['account.move'].sudo()
        mine = [('partner_id', 'child_of', customer.id), ('state', '=', 'posted')]
        invoice = Move.search(
            mine + [('move_type', '=', 'out_invoice'), ('payment_state', '=', 'not_paid')], order='id', limit=1
        )
        credit_note = Move.search(mine + [('move_type', '=', 'out_refund')], order='id', limit=1)
        Order = env['sale.order'].sudo()
        order = Order.search([('partner_id', 'child_of', customer.id), ('state', '=', 'sale')], order='id', limit=1)
        quote = Order.search([('partner_id', 'child_of', customer.id), ('state', '=', 'sent')], order='id', limit=1)
        payment = (
            env['account.payment']
            .sudo()
            .search(env['account.payment']._get_portal_payment_domain(customer), order='id', limit=1)
        )
        for record, what in (
            (invoice, 'an unpaid invoice'),
            (credit_note, 'a credit note'),
            (order, 'an order'),
            (quote, 'a quotation'),
            (payment, 'a payment'),
        ):
            self.assertTrue(record, f"the demo customer has {what}")
        # Shared Documents (C12) with its upload form (P8) and a file of each direction.
        self.company.portal_allow_uploads = True
        Document = env['customer_portal.shared.document'].sudo()
        pdf = base64.b64encode(b'%PDF-1.4\n%%EOF\n')
        Document.create({'partner_id': customer.id, 'name': 'Price list.pdf', 'datas': pdf})
        Document.create(
            {
                'partner_id': customer.id,
                'name': 'Signed order.pdf',
                'datas': pdf,
                'direction': 'customer',
                'author_id': self.emma.partner_id.id,
            }
        )
        self.company.portal_reviews = True  # Write a review (P11)
        return [
            '/my',
            '/my/invoices',
            '/my/invoices?filterby=outstanding',
            '/my/invoices?filterby=partial',
            f'/my/invoices/{invoice.id}',
            '/my/invoices/pay',
            '/my/orders',
            '/my/orders?filterby=to_invoice',
            f'/my/orders/{order.id}',
            '/my/quotes',
            '/my/quotes?filterby=awaiting',
            f'/my/orders/{quote.id}',
            f'/my/orders/{quote.id}?message=decline_reason_missing',
            f'/my/invoices/{invoice.id}/forward',
            f'/my/orders/{quote.id}/forward',
            '/my/account',
            '/my/details',
            '/my/details/company',
            '/my/details/address/new',
            '/my/details/contact/new',
            f'/my/details/contact/{self.emma.partner_id.id}',
            '/my/security',
            '/my/payments',
            f'/my/payments/{payment.id}',
            '/my/credit_notes',
            f'/my/credit_notes/{credit_note.id}',
            '/my/retainer_invoices',
            '/my/retainer_invoices?tab=outstanding',
            '/my/statement',
            '/my/documents',
            '/my/send_email',
            '/my/review',
        ]

    def _visitor_pages(self):
        # The portal address shows a visitor the login page of its company.
        pages = ['/web/login', (f'/portal/{self.company.portal_slug}', '/web/login')]
        # A document's own link, refused when the company accepts only per-recipient links (issue 11).
        domain = [('company_id', '=', self.company.id), ('move_type', '=', 'out_invoice'), ('state', '=', 'posted')]
        invoice = self.env['account.move'].sudo().search(domain, limit=1)
        self.company.portal_share_links_only = True
        return [*pages, (invoice.get_portal_url(), f'/my/invoices/{invoice.id}')]

    def _identity_pages(self):
        """P14: a visitor's public invoice link while its content waits for the emailed code, before and
        after asking for it."""
        self.company.portal_identity_check = True
        invoice = (
            self.env['account.move']
            .sudo()
            .search(
                [
                    ('partner_id', 'child_of', self.emma.partner_id.commercial_partner_id.id),
                    ('move_type', '=', 'out_invoice'),
                    ('state', '=', 'posted'),
                ],
                order='id',
                limit=1,
            )
        )
        return [invoice.get_portal_url(), invoice.get_portal_url(query_string='&identity=sent')]

    # -- browser -------------------------------------------------------

    def _sign_in(self, user, expected_location):
        """Sign in through the login form, as a browser does; returns the session id (signed in, or only
        half signed in when the second factor comes next)."""
        self.authenticate(None, None)
        page = self.url_open('/web/login')
        response = self.url_open(
            '/web/login',
            data={
                'login': user.login,
                'password': DEMO_PASSWORD,
                'csrf_token': self._csrf_token(page.text),
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303, f"{user.login} signs in")
        self.assertIn(expected_location, response.headers.get('Location', ''))
        return response.cookies.get('session_id') or self.session.sid

    def _audit(self, pages, session_id, width):
        """Open each page in one headless Chromium at ``width``; axe's violations by page."""
        self.browser_size = WIDTHS[width]
        self.touch_enabled = width == 'phone'
        found = {}
        browser = ChromeBrowser(self)
        try:
            if session_id:
                browser.set_cookie('session_id', session_id, '/', HOST)
            browser.set_cookie(TEST_CURSOR_COOKIE_NAME, self.http_request_key, '/', HOST)
            for url in pages:
                url, path = url if isinstance(url, tuple) else (url, url.split('?')[0])
                self.cr.flush()
                self.cr.clear()
                browser.navigate_to(self.base_url() + url, wait_stop=True)
                self.assertTrue(browser._wait_ready(), f"{url} loads")
                browser._websocket_request('Runtime.evaluate', params={'expression': self.axe}, timeout=60)
                answer = browser._websocket_request(
                    'Runtime.evaluate',
                    params={
                        'expression': AXE_RUN,
                        'awaitPromise': True,
                        'returnByValue': True,
                    },
                    timeout=120,
                )
                value = answer.get('result', {}).get('value')
                self.assertTrue(value, f"axe ran on {url}: {answer}")
                result = json.loads(value)
                self.assertEqual(result['path'], path, f"{url} is shown, not a redirection elsewhere")
                found[url] = result['violations']
                _logger.info(
                    "axe %s %s: %d violation(s)%s",
                    width,
                    url,
                    len(result['violations']),
                    ''.join(
                        f"\n    {v['rule']}: {target} | {' '.join((summary or '').split())[:300]}"
                        for v in result['violations']
                        for target, summary in list(zip(v['targets'], v['summaries'], strict=False))[:5]
                    ),
                )
        finally:
            browser.stop()
            self._wait_remaining_requests()
        return found

    def _assert_no_violation(self, found, width):
        lines = [
            f"{url} at {WIDTHS[width]}: {violation['rule']} ({violation['impact']}: {violation['help']}) on {target}"
            for url, violations in found.items()
            for violation in violations
            for target in violation['targets']
        ]
        self.assertFalse(lines, f"{len(lines)} accessibility violation(s):\n" + '\n'.join(lines))

    # -- tests ---------------------------------------------------------

    def _audit_customer_pages(self, width):
        session_id = self._sign_in(self.emma, '/my')
        self._assert_no_violation(self._audit(self._customer_pages(), session_id, width), width)

    def _audit_visitor_and_mfa_pages(self, width):
        found = self._audit(self._visitor_pages(), None, width)
        found.update(self._audit(self._identity_pages(), None, width))
        # The second-factor pages, half signed in after a real password sign-in with MFA on.
        self.company.portal_enforce_mfa = True
        enrolling = self.env.ref('customer_portal.user_liam_carter')
        enrolled = self.env.ref('customer_portal.user_noah_davis')
        enrolled.sudo().totp_secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
        found.update(self._audit(['/web/login/totp/enroll'], self._sign_in(enrolling, '/web/login/totp/enroll'), width))
        found.update(self._audit(['/web/login/totp'], self._sign_in(enrolled, '/web/login/totp'), width))
        self._assert_no_violation(found, width)

    def test_customer_pages_phone(self):
        """The customer's pages pass the accessibility audit at phone size."""
        self._audit_customer_pages('phone')

    def test_customer_pages_desktop(self):
        """The customer's pages pass the accessibility audit at desktop size."""
        self._audit_customer_pages('desktop')

    def test_visitor_and_mfa_pages_phone(self):
        """The sign-in and second-factor pages pass the accessibility audit at phone size."""
        self._audit_visitor_and_mfa_pages('phone')

    def test_visitor_and_mfa_pages_desktop(self):
        """The sign-in and second-factor pages pass the accessibility audit at desktop size."""
        self._audit_visitor_and_mfa_pages('desktop')

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""P19 branding: the company's colours (readable) and logo on the portal and its login page, the portal domain
in every link sent to its customers, the portal's email templates in Settings."""

import base64
import io
import re
from types import SimpleNamespace
from unittest.mock import patch

from PIL import Image

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import BaseCase, TransactionCase, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.mail.tests.common import MockEmail

from ..tools import contrast
from .common import PortalHttpCase, PortalUserCommon

PORTAL_DOMAIN = 'portal.example.com'
PORTAL_URL = f'https://{PORTAL_DOMAIN}'


def _png(color):
    """A small PNG logo of one colour."""
    buffer = io.BytesIO()
    Image.new('RGB', (40, 20), color).save(buffer, format='PNG')
    return base64.b64encode(buffer.getvalue())


def _brand_values(html):
    """The CSS custom properties of the page's branding block ({name: value}), or {} when it has none."""
    match = re.search(r'<style id="o_cp_brand"[^>]*>(.*?)</style>', html, re.S)
    if not match:
        return {}
    return dict(re.findall(r'(--[\w-]+):\s*([^;]+);', match[1]))


@tagged('post_install', '-at_install')
class TestPortalContrast(BaseCase):
    """tools/contrast.py: WCAG 2.1 contrast figures and the readable fallback."""

    def test_known_ratios(self):
        self.assertAlmostEqual(contrast.contrast_ratio('#000000', '#ffffff'), 21.0, places=2)
        self.assertAlmostEqual(contrast.contrast_ratio('#ffffff', '#ffffff'), 1.0, places=2)
        # #777777 is the classic "just fails": 4.48:1 on white.
        self.assertAlmostEqual(contrast.contrast_ratio('#777777', '#ffffff'), 4.48, places=2)
        self.assertFalse(contrast.is_readable('#777777'))
        self.assertAlmostEqual(contrast.contrast_ratio('#0f5132', '#ffffff'), 9.36, places=1)
        self.assertTrue(contrast.is_readable('#0f5132'))
        # The order of the two colours does not matter; short hex is the same colour.
        self.assertEqual(contrast.contrast_ratio('#fff', '#0F5132'), contrast.contrast_ratio('#0f5132', '#ffffff'))
        # Graphics (accents) need 3:1 only.
        self.assertTrue(contrast.is_readable('#777777', minimum=contrast.AA_GRAPHICS))
        self.assertFalse(contrast.is_readable('#f0a500', minimum=contrast.AA_GRAPHICS))

    def test_readable_fallback_keeps_the_hue(self):
        self.assertEqual(contrast.readable_color('#0f5132'), '#0f5132')
        fallback = contrast.readable_color('#777777')
        self.assertEqual(fallback, '#717171')
        self.assertGreaterEqual(contrast.contrast_ratio(fallback, '#ffffff'), 4.5)
        for color in ('#ffffff', '#f0a500', '#e9c46a', '#00ff00'):
            self.assertGreaterEqual(contrast.contrast_ratio(contrast.readable_color(color), '#ffffff'), 4.5, color)
        amber = contrast.hex_to_rgb(contrast.readable_color('#f0a500'))
        self.assertTrue(amber[0] > amber[1] > amber[2], "still an amber, only darker")

    def test_only_hex_colours_reach_css(self):
        self.assertEqual(contrast.normalize_hex(' #ABC '), '#aabbcc')
        for bad in ('red', '#12345', '#ggg', '#fff;}body{display:none', 'rgb(0,0,0)', '', None, 12):
            self.assertIsNone(contrast.normalize_hex(bad), bad)
            self.assertIsNone(contrast.readable_color(bad), bad)
            self.assertFalse(contrast.is_readable(bad), bad)


@tagged('post_install', '-at_install')
class TestPortalBrandingSettings(TransactionCase):
    """res.company: the colour warning, the portal's colours, the portal domain's validation, the templates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env['res.company'].create({'name': 'Brand Test Co'})

    def test_unreadable_colour_warns_and_falls_back(self):
        self.company.write({'primary_color': '#777777', 'secondary_color': '#f0a500'})
        warning = self.company.portal_color_warning
        self.assertIn("#777777", warning)
        self.assertIn("4.48:1", warning)
        self.assertIn("#717171", warning, "the warning names the colour the portal shows instead")
        self.assertIn("#f0a500", warning)
        brand = self.company._get_portal_brand()
        self.assertEqual(brand['primary'], '#717171')
        self.assertTrue(contrast.is_readable(brand['secondary'], minimum=contrast.AA_GRAPHICS))
        settings = self.env['res.config.settings'].with_company(self.company).create({})
        self.assertEqual(settings.company_id, self.company)
        self.assertEqual(settings.portal_color_warning, warning)

        self.company.write({'primary_color': '#0f5132', 'secondary_color': '#b35c00'})
        self.assertFalse(self.company.portal_color_warning)
        brand = self.company._get_portal_brand()
        self.assertEqual((brand['primary'], brand['secondary']), ('#0f5132', '#b35c00'))
        self.assertEqual(brand['primary_rgb'], '15, 81, 50')

        self.company.write({'primary_color': 'red', 'secondary_color': False})
        self.assertIn("not a hex colour", self.company.portal_color_warning)
        self.assertEqual(self.company._get_portal_brand(), {}, "no usable colour: the stock look")

    def test_portal_domain_validation(self):
        for bad, message in (
            ('http://portal.example.com', "must start with https://"),
            ('ftp://portal.example.com', "must start with https://"),
            ('portal.example.com/my', "without a path"),
            ('https://portal.example.com/portal/acme', "without a path"),
            ('portal.example.com?x=1', "without a path"),
            ('user@portal.example.com', "without a path"),
            ('portal example.com', "without a path"),
            ('localhost', "not a valid host name"),
            ('-portal.example.com', "not a valid host name"),
            ('portal_example.com', "not a valid host name"),
            ('portal.example.com:port', "not a valid host name"),
        ):
            with self.subTest(domain=bad), self.assertRaisesRegex(ValidationError, message), self.env.cr.savepoint():
                self.company.portal_domain = bad
                self.company.flush_recordset()
            self.company.invalidate_recordset()
            self.assertFalse(self.company.portal_domain, "a refused domain is not kept")
        for good, url in (
            ('portal.example.com', PORTAL_URL),
            ('https://Portal.Example.com', PORTAL_URL),
            ('https://portal.example.com/', PORTAL_URL),
            ('portal.example.com:8443', 'https://portal.example.com:8443'),
        ):
            self.company.portal_domain = good
            self.company.flush_recordset()
            self.assertEqual(self.company._get_portal_base_url(), url)
        self.company.portal_domain = PORTAL_DOMAIN
        self.assertEqual(self.company.portal_url, f'{PORTAL_URL}/portal/{self.company.portal_slug}')
        self.company.portal_domain = False
        base_url = self.env['ir.config_parameter'].sudo().get_param('web.base.url')
        self.assertEqual(self.company.portal_url, f'{base_url}/portal/{self.company.portal_slug}')

    def test_email_templates_listed_with_edit_links(self):
        templates = self.env['res.company']._get_portal_mail_templates()
        expected = (
            self.env.ref('portal.mail_template_data_portal_welcome')
            | self.env.ref('customer_portal.mail_template_portal_mfa_reset')
            | self.env.ref('customer_portal.mail_template_portal_mfa_backup_code_used')
        )
        self.assertEqual(templates & expected, expected)
        html = str(self.env['res.config.settings'].create({}).portal_mail_templates_html)
        for template in templates:
            self.assertRegex(html, rf'href="/odoo/action-[\w.]+/{template.id}"[^>]*>.*?{re.escape(template.name)}')
        for xmlid in ('mail_template_portal_mfa_reset', 'mail_template_portal_mfa_backup_code_used'):
            template = self.env.ref(f'customer_portal.{xmlid}')
            self.assertEqual(template.email_layout_xmlid, 'mail.mail_notification_light', "the company's layout")


@tagged('post_install', '-at_install')
class TestPortalBrandingPages(PortalHttpCase):
    """Two companies: each customer's /my and each company's login page (/portal/<slug>) in its colours and
    logo; an unreadable colour is replaced on the page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.blue, cls.green = cls.env['res.company'].create(
            [
                {
                    'name': 'Blue Brand Co',
                    'primary_color': '#1f5f8b',
                    'secondary_color': '#b35c00',
                    'logo': _png('#1f5f8b'),
                },
                {
                    'name': 'Green Brand Co',
                    'primary_color': '#0f5132',
                    'secondary_color': '#6f42c1',
                    'logo': _png('#0f5132'),
                },
            ]
        )
        cls.blue_user = cls._new_portal_user('brand_blue', company=cls.blue)
        cls.green_user = cls._new_portal_user('brand_green', company=cls.green)

    def _my_home(self, user):
        response = self._login_form(user.login, user.login)
        self.assertTrue(response.url.endswith('/my'), response.url)
        return response.text

    def test_each_customer_sees_its_company_colours_and_logo(self):
        for user, company, primary, secondary in (
            (self.blue_user, self.blue, '#1f5f8b', '#b35c00'),
            (self.green_user, self.green, '#0f5132', '#6f42c1'),
        ):
            with self.subTest(company=company.name):
                html = self._my_home(user)
                values = _brand_values(html)
                self.assertEqual(values.get('--cp-primary'), primary)
                self.assertEqual(values.get('--link-color'), primary)
                self.assertEqual(values.get('--cp-secondary'), secondary)
                self.assertIn(f'data-company-id="{company.id}"', html)
                self.assertIn(f'/logo.png?company={company.id}', html)
                logo = self.url_open(f'/logo.png?company={company.id}').content
                self.assertEqual(logo, base64.b64decode(company.logo_web), "the company's own logo")
                self.url_open('/web/session/logout')

    def test_each_login_page_shows_its_company(self):
        for company, primary in ((self.blue, '#1f5f8b'), (self.green, '#0f5132')):
            with self.subTest(company=company.name):
                response = self.url_open(f'/portal/{company.portal_slug}')
                self.assertEqual(response.status_code, 200)
                self.assertIn('/web/login', response.url)
                self.assertEqual(_brand_values(response.text).get('--cp-primary'), primary)
                self.assertIn(f'/web/binary/company_logo?company={company.id}', response.text)
                self.assertIn(company.name, response.text)
        # A wrong password keeps the company's page (the form posts its portal name).
        page = self.url_open(f'/portal/{self.green.portal_slug}')
        response = self.url_open(
            '/web/login',
            data={
                'login': self.green_user.login,
                'password': 'wrong',
                'portal': self.green.portal_slug,
                'csrf_token': self._csrf_token(page.text),
            },
        )
        self.assertIn('Wrong login/password', response.text)
        self.assertEqual(_brand_values(response.text).get('--cp-primary'), '#0f5132')

    def test_unreadable_colour_falls_back_on_the_page(self):
        self.blue.write({'primary_color': '#777777', 'secondary_color': '#f0a500'})
        self.assertTrue(self.blue.portal_color_warning)
        html = self._my_home(self.blue_user)
        values = _brand_values(html)
        self.assertEqual(values.get('--cp-primary'), '#717171')
        self.assertNotIn('#777777', html)
        self.assertNotIn('#f0a500', html)
        self.assertGreaterEqual(contrast.contrast_ratio(values['--cp-secondary'], '#ffffff'), contrast.AA_GRAPHICS)

    def test_no_colours_no_style(self):
        self.blue.write({'primary_color': False, 'secondary_color': False})
        self.assertEqual(_brand_values(self._my_home(self.blue_user)), {})


@tagged('post_install', '-at_install')
class TestPortalBrandingLinks(MockEmail, PortalUserCommon, AccountTestInvoicingCommon):
    """Every kind of link sent to a customer uses the company's portal domain when set, the base URL when not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data['company']
        cls.base_url = cls.env['ir.config_parameter'].sudo().get_param('web.base.url')
        cls.customer = cls.env['res.partner'].create(
            {'name': 'Link Customer Co', 'is_company': True, 'email': 'links@customer.example'}
        )
        cls.invoice = cls.init_invoice('out_invoice', partner=cls.customer, amounts=[100.0], post=True)
        cls.portal_user = cls._new_portal_user('brand_links', company=cls.company)

    def _check(self, text, with_domain, what):
        if with_domain:
            self.assertIn(f'{PORTAL_URL}/', text, what)
            self.assertNotIn(self.base_url, text, what)
        else:
            self.assertIn(f'{self.base_url}/', text, what)
            self.assertNotIn(PORTAL_DOMAIN, text, what)

    def _both(self):
        """Run the check with the portal domain set, then without."""
        for with_domain in (True, False):
            self.company.portal_domain = PORTAL_DOMAIN if with_domain else False
            yield with_domain

    def _mail_to(self, email):
        mails = self._new_mails.filtered(
            lambda mail: email in (mail.email_to or '') or email in mail.recipient_ids.mapped('email')
        )
        self.assertTrue(mails, f"an email to {email}")
        return mails[-1]

    def test_invitation(self):
        for index, with_domain in enumerate(self._both()):
            contact = self.env['res.partner'].create(
                {'name': f'Invited {index}', 'email': f'invited{index}@customer.example', 'parent_id': self.customer.id}
            )
            wizard = self.env['portal.wizard'].create({'partner_ids': [Command.link(contact.id)]})
            with self.mock_mail_gateway():
                wizard.user_ids.action_grant_access()
            mail = self._mail_to(contact.email)
            self.assertIn('token=', mail.body_html)
            self._check(mail.body_html, with_domain, "invitation")
            self._check(contact._get_signup_url(), with_domain, "sign-up URL")

    def test_document_share_and_notification(self):
        for with_domain in self._both():
            self.invoice.invalidate_recordset()
            share = self.env['portal.share'].create(
                {
                    'res_model': 'account.move',
                    'res_id': self.invoice.id,
                    'partner_ids': [Command.link(self.customer.id)],
                }
            )
            self._check(share.share_link, with_domain, "share link")
            with self.mock_mail_gateway():
                share.action_send_mail()
            self._check(self._mail_to(self.customer.email).body_html, with_domain, "share email")
            # A message on the invoice emailed to the customer: its "View Invoice" button.
            with self.mock_mail_gateway():
                self.invoice.message_post(
                    body="Your invoice is ready.",
                    partner_ids=self.customer.ids,
                    message_type='comment',
                    subtype_xmlid='mail.mt_comment',
                )
            body = self._mail_to(self.customer.email).body_html
            self.assertIn('access_token=', body)
            self._check(body, with_domain, "document notification")
            self._check(self.invoice.get_base_url() + self.invoice.get_portal_url(), with_domain, "access URL")

    def test_payment_link(self):
        for with_domain in self._both():
            wizard = (
                self.env['payment.link.wizard']
                .with_context(active_model='account.move', active_id=self.invoice.id)
                .create({})
            )
            # The link's access token is signed with the request's environment, as in the back office.
            with patch('odoo.addons.payment.utils.request', SimpleNamespace(env=self.env)):
                link = wizard.link
            self.assertIn(f'/my/invoices/{self.invoice.id}?', link)
            self.assertIn('payment_token=', link)
            self._check(link, with_domain, "payment link")

    def test_forward_link(self):
        """A per-recipient link (a forward, Send or Share, issue 11) is built on the document's base URL."""
        if 'customer_portal.share.link' not in self.env:
            self.skipTest("per-recipient links are not installed")
        for with_domain in self._both():
            _link, url = self.env['customer_portal.share.link']._create_for_document(
                self.invoice, 'forwarded@customer.example', name="Forwarded"
            )
            self.assertIn(f'/my/invoices/{self.invoice.id}?access_token=', url)
            self._check(url, with_domain, "forwarded link")

    def test_mfa_email(self):
        for with_domain in self._both():
            with self.mock_mail_gateway():
                self.portal_user._portal_mfa_reset()
            mail = self._mail_to(self.portal_user.email)
            self.assertIn('/my/security', mail.body_html)
            self.assertIn('utm_medium=email', mail.body_html, "sent in the company's email layout")
            self._check(mail.body_html, with_domain, "MFA email")

    def test_employee_links_stay_on_the_base_url(self):
        self.company.portal_domain = PORTAL_DOMAIN
        self.assertEqual(self.env.user.get_base_url(), self.base_url)
        self.assertEqual(self.env.user.partner_id.get_base_url(), self.base_url)
        self.assertEqual(self.portal_user.get_base_url(), PORTAL_URL)
        self.assertEqual(self.portal_user.partner_id.get_base_url(), PORTAL_URL)

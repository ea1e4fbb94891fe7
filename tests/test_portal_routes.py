from urllib.parse import parse_qs, urlparse

from odoo.tests import tagged

from .common import PortalHttpCase


@tagged('post_install', '-at_install')
class TestPortalRoutes(PortalHttpCase):
    """/portal/<slug> (P1), the banner on the portal home (P2) and its preview."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env['res.company'].create(
            {
                'name': 'Alpha Trading',
                'portal_slug': 'alpha-portal',
                'portal_banner': '<p>Alpha closes at noon on Friday</p><script>window.pwned = 1</script>',
            }
        )
        cls.company_b = cls.env['res.company'].create(
            {
                'name': 'Beta Services',
                'portal_slug': 'beta-portal',
                'portal_banner': '<p>Beta moved to a new office</p>',
            }
        )
        cls.user_a = cls._new_portal_user('alpha_customer', company=cls.company_a)
        cls.user_b = cls._new_portal_user('beta_customer', company=cls.company_b)

    def test_anonymous_goes_to_company_login(self):
        """A visitor of a company's portal address gets that company's login page."""
        response = self.url_open('/portal/alpha-portal', allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        target = urlparse(response.headers['Location'])
        self.assertEqual(target.path, '/web/login')
        self.assertEqual(parse_qs(target.query), {'redirect': ['/my'], 'portal': ['alpha-portal']})

        page = self.url_open('/portal/alpha-portal')
        self.assertEqual(page.status_code, 200)
        self.assertIn('Alpha Trading', page.text)
        self.assertIn(f'/web/binary/company_logo?company={self.company_a.id}', page.text)
        self.assertIn('name="portal" value="alpha-portal"', page.text, "a failed attempt stays on this login page")
        self.assertNotIn('Beta Services', page.text)

    def test_login_through_portal_url_lands_on_home_with_banner(self):
        """Signing in through the portal address lands on the home page with the banner."""
        response = self._login_form(
            'alpha_customer', 'alpha_customer', url='/portal/alpha-portal', redirect='/my', portal='alpha-portal'
        )
        self.assertEqual(urlparse(response.url).path, '/my')
        self.assertIn('Alpha closes at noon on Friday', response.text)
        self.assertNotIn('window.pwned', response.text, "the banner is sanitized")
        # A wrong password stays on the company's login page.
        self.url_open('/web/session/logout')
        failed = self._login_form(
            'alpha_customer', 'wrong-password', url='/portal/alpha-portal', redirect='/my', portal='alpha-portal'
        )
        self.assertIn('Wrong login/password', failed.text)
        self.assertIn('Alpha Trading', failed.text)

    def test_signed_in_user_goes_to_my(self):
        """A signed-in user of the portal address goes to /my."""
        self.authenticate('beta_customer', 'beta_customer')
        response = self.url_open('/portal/alpha-portal', allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(urlparse(response.headers['Location']).path, '/my')

    def test_unknown_or_malformed_slug_is_404(self):
        """An unknown or malformed portal address answers 404."""
        for slug in ('no-such-portal', 'Alpha-Portal', 'a', 'x' * 300, '%00', 'alpha-portal%20', '..%2F..%2Fetc'):
            with self.subTest(slug=slug):
                response = self.url_open(f'/portal/{slug}', allow_redirects=False)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn('Alpha Trading', response.text)

    def test_banner_shown_to_own_company_customers_only(self):
        """The banner shows to the company's own customers only."""
        self.authenticate('alpha_customer', 'alpha_customer')
        home_a = self.url_open('/my')
        self.assertIn('Alpha closes at noon on Friday', home_a.text)
        self.assertNotIn('Beta moved', home_a.text)
        self.authenticate('beta_customer', 'beta_customer')
        home_b = self.url_open('/my')
        self.assertIn('Beta moved to a new office', home_b.text)
        self.assertNotIn('Alpha closes', home_b.text)

    def test_banner_in_customer_language(self):
        """The banner shows in the customer's language."""
        self.env['res.lang']._activate_lang('fr_FR')
        self.company_a.update_field_translations(
            'portal_banner', {'fr_FR': {'Alpha closes at noon on Friday': 'Alpha ferme à midi le vendredi'}}
        )
        self.user_a.lang = 'fr_FR'
        self.authenticate('alpha_customer', 'alpha_customer')
        self.assertIn('Alpha ferme à midi le vendredi', self.url_open('/my').text)

    def test_no_banner_no_box(self):
        """Without banner, the home page has no empty box."""
        self.company_b.portal_banner = False
        self.authenticate('beta_customer', 'beta_customer')
        self.assertNotIn('o_cp_banner', self.url_open('/my').text)

    def test_banner_preview(self):
        """An administrator previews a company's banner; other ids answer 404, customers are refused."""
        admin = self.env.ref('base.user_admin')
        admin.company_ids |= self.company_a
        self.authenticate('admin', 'admin')
        preview = self.url_open(f'/my/banner/preview?company_id={self.company_a.id}')
        self.assertEqual(preview.status_code, 200)
        self.assertIn('Alpha closes at noon on Friday', preview.text)
        self.assertNotIn('window.pwned', preview.text)
        for bad in ('abc', '[1]', str(self.company_b.id), '999999'):
            with self.subTest(company_id=bad):
                response = self.url_open(f'/my/banner/preview?company_id={bad}')
                self.assertEqual(response.status_code, 404)
                self.assertNotIn('Beta moved', response.text)
        # Customers cannot use the preview.
        self.authenticate('alpha_customer', 'alpha_customer')
        response = self.url_open(f'/my/banner/preview?company_id={self.company_a.id}')
        self.assertEqual(response.status_code, 404)

    def test_preview_button_opens_preview(self):
        """The settings' Preview button opens the preview."""
        settings = self.env['res.config.settings'].with_company(self.company_a).create({})
        action = settings.action_preview_portal_banner()
        self.assertEqual(action['type'], 'ir.actions.act_url')
        self.assertEqual(action['url'], f'/my/banner/preview?company_id={self.company_a.id}')

    def test_tour_customer_signs_in_through_portal_url(self):
        """A customer signs in through the portal address by clicks (tour)."""
        self.start_tour('/portal/alpha-portal', 'customer_portal_login_banner')


@tagged('post_install', '-at_install')
class TestPortalDemoTour(PortalHttpCase):
    def test_tour_demo_customer_signs_in(self):
        """A demo customer signs in through the demo company's portal address and sees its banner."""
        if not self.env.ref('customer_portal.user_emma_wilson', raise_if_not_found=False):
            self.skipTest("installed without demo data")
        company = self.env.ref('base.main_company')
        self.start_tour(f'/portal/{company.portal_slug}', 'customer_portal_demo_login')

from odoo.exceptions import ValidationError
from odoo.tests import Form, HttpCase, TransactionCase, tagged


@tagged('post_install', '-at_install')
class TestPortalSettings(TransactionCase):
    """P1 portal name and P2 banner, stored per company and edited from Settings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env['res.company'].create({'name': 'Alpha Trading'})
        cls.company_b = cls.env['res.company'].create({'name': 'Beta Services'})
        cls.env.user.company_ids |= cls.company_a | cls.company_b

    def _save_settings(self, company, **values):
        settings = self.env['res.config.settings'].with_company(company).create(values)
        settings.execute()

    def test_slug_generated_from_company_name(self):
        """The portal address is made from the company's name, numbered when taken."""
        self.assertEqual(self.company_a.portal_slug, 'alpha-trading')
        twin = self.env['res.company'].create({'name': 'Alpha  Trading!'})
        self.assertEqual(twin.portal_slug, 'alpha-trading-2', "a taken name gets a numbered suffix")
        self.assertEqual(
            self.env['res.company'].create({'name': 'Café Müller & Söhne'}).portal_slug, 'cafe-muller-sohne'
        )
        self.assertEqual(
            self.env['res.company'].create({'name': 'AB'}).portal_slug, 'ab-portal', "too short names are completed"
        )
        self.assertEqual(
            self.env['res.company'].create({'name': 'Portal'}).portal_slug,
            'portal-portal',
            "reserved words are never generated",
        )
        self.assertEqual(
            self.env['res.company'].create({'name': '株式会社'}).portal_slug,
            'company-portal',
            "a name with no latin letters still gets a valid portal name",
        )
        long_name = self.env['res.company'].create({'name': 'Long ' * 30})
        self.assertLessEqual(len(long_name.portal_slug), 63)
        self.assertFalse(self.company_a._get_portal_slug_error(long_name.portal_slug))

    def test_slug_given_at_install(self):
        """The post-init hook gave the companies that existed before the install a valid name."""
        for company in self.env['res.company'].search([]):
            self.assertTrue(company.portal_slug)
            self.assertFalse(company._get_portal_slug_error(company.portal_slug), company.portal_slug)

    def test_settings_stored_per_company(self):
        """The portal settings are stored per company."""
        self._save_settings(self.company_a, portal_slug='alpha-portal', portal_banner='<p>Hello Alpha</p>')
        self._save_settings(self.company_b, portal_slug='beta-portal', portal_banner='<p>Hello Beta</p>')
        self.assertEqual(self.company_a.portal_slug, 'alpha-portal')
        self.assertEqual(self.company_b.portal_slug, 'beta-portal')
        self.assertIn('Hello Alpha', self.company_a.portal_banner)
        self.assertIn('Hello Beta', self.company_b.portal_banner)
        settings_b = self.env['res.config.settings'].with_company(self.company_b).create({})
        self.assertEqual(settings_b.portal_slug, 'beta-portal')
        base_url = self.company_b.get_base_url()
        self.assertEqual(settings_b.portal_url, f'{base_url}/portal/beta-portal')

    def test_settings_form(self):
        """The Customer Portal block of Settings edits the values of the current company."""
        arch = self.env['res.config.settings'].get_views([(False, 'form')])['views']['form']['arch']
        self.assertIn('name="customer_portal"', arch)
        with Form(self.env['res.config.settings'].with_company(self.company_b)) as form:
            self.assertEqual(form.portal_slug, 'beta-services')
            form.portal_slug = 'beta-from-form'
            form.portal_banner = '<p>Set from Settings</p>'
        form.record.execute()
        self.assertEqual(self.company_b.portal_slug, 'beta-from-form')
        self.assertIn('Set from Settings', self.company_b.portal_banner)
        self.assertEqual(self.company_a.portal_slug, 'alpha-trading', "another company is untouched")

    def test_bad_slug_refused_and_nothing_saved(self):
        """A bad portal address is refused and no setting is saved."""
        self._save_settings(self.company_a, portal_slug='alpha-portal', portal_banner='<p>Kept</p>')
        self._save_settings(self.company_b, portal_slug='beta-portal')
        bad_slugs = [
            False,
            '',
            '   ',
            'my portal',
            'Alpha-Portal',
            'ALPHA',
            'café-portal',
            'portal_1',
            'a',
            'ab',
            'x' * 64,
            'x' * 200,
            '-alpha',
            'alpha-',
            'alpha--portal',
            'alpha/portal',
            'alpha.portal',
            'beta-portal',  # another company's
            'web',
            'my',
            'admin',
            'portal',
            'api',
            'login',  # reserved
        ]
        for bad in bad_slugs:
            with self.subTest(slug=bad):
                with self.assertRaises(ValidationError), self.env.cr.savepoint():
                    self._save_settings(self.company_a, portal_slug=bad, portal_banner='<p>Changed</p>')
                self.env.invalidate_all()
                self.assertEqual(self.company_a.portal_slug, 'alpha-portal')
                self.assertIn('Kept', self.company_a.portal_banner, "the banner of a refused save is not kept")

    def test_slug_error_messages_are_clear(self):
        """Each kind of bad portal address gets its own message."""
        company = self.env['res.company']
        self.assertIn('between 3 and 63', company._get_portal_slug_error('ab'))
        self.assertIn('lowercase letters', company._get_portal_slug_error('Ab-c'))
        self.assertIn('reserved', company._get_portal_slug_error('admin'))
        self.assertIn('required', company._get_portal_slug_error(''))
        self.assertIsNone(company._get_portal_slug_error('good-name-3'))
        with self.assertRaisesRegex(ValidationError, 'already used by Beta Services'):
            self.company_a.portal_slug = self.company_b.portal_slug

    def test_banner_sanitized(self):
        """Scripts and event handlers are removed from the banner."""
        self.company_a.portal_banner = (
            '<p onclick="alert(1)">Closed on Monday</p><script>alert("x")</script>'
            '<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">link</a>'
        )
        banner = self.company_a.portal_banner
        self.assertIn('Closed on Monday', banner)
        for forbidden in ('<script', 'onclick', 'onerror', 'javascript:'):
            self.assertNotIn(forbidden, banner)

    def test_banner_translatable(self):
        """Html fields translate term by term, as the translation dialog of the Settings field does."""
        self.env['res.lang']._activate_lang('fr_FR')
        self.company_a.portal_banner = '<p>Closed on Monday</p>'
        self.company_a.update_field_translations('portal_banner', {'fr_FR': {'Closed on Monday': 'Fermé le lundi'}})
        self.assertIn('Closed on Monday', self.company_a.with_context(lang='en_US').portal_banner)
        self.assertIn('Fermé le lundi', self.company_a.with_context(lang='fr_FR').portal_banner)

    def test_empty_banner_shows_nothing(self):
        """An empty banner shows nothing; an image alone is a banner."""
        for empty in (False, '', '<p><br></p>', '<p> </p>'):
            self.company_a.portal_banner = empty
            self.assertFalse(self.company_a._get_portal_banner(), repr(empty))
        self.company_a.portal_banner = '<p><img src="/web/image/res.company/1/logo"></p>'
        self.assertTrue(self.company_a._get_portal_banner(), "an image alone is a banner")


@tagged('post_install', '-at_install')
class TestPortalSettingsLayout(HttpCase):
    """Settings > Customer Portal in a browser at 1366 px: the portal URL is read in full, the
    banner editor has room and its toolbar."""

    def test_settings_tour(self):
        """The portal settings by clicks (tour)."""
        company = self.env.ref('base.main_company')
        company.write(
            {
                'portal_slug': 'a-rather-long-portal-name-for-the-northwind-traders-group',
                'portal_banner': '<p>Room to write</p>',
            }
        )
        self.start_tour(
            '/odoo/action-customer_portal.action_customer_portal_settings',
            'customer_portal_settings_tour',
            login='admin',
        )

from odoo.tests import TransactionCase, tagged


@tagged('post_install', '-at_install')
class TestPortalSettings(TransactionCase):

    def test_slug_generated(self):
        company = self.env['res.company'].create({'name': 'Gemini Furniture'})
        self.assertEqual(company.portal_slug, 'gemini-furniture')

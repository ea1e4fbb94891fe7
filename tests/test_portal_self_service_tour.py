import base64

from odoo.tests import tagged

from .common import PortalHttpCase

PDF = b'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'


@tagged('post_install', '-at_install')
class TestPortalSelfServiceTour(PortalHttpCase):
    """Issue 12 in headless Chromium: a customer (P8, P11 on) edits the billing address, adds a colleague, uploads
    a PDF, sees it under Shared Documents and writes a review."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write({'portal_allow_uploads': True, 'portal_reviews': True})
        Partner = cls.env['res.partner']
        cls.customer = Partner.create(
            {
                'name': 'Tour Self-Service Co',
                'is_company': True,
                'email': 'tour@co.example',
                'street': '1 Old Street',
                'city': 'Antwerp',
                'zip': '2000',
                'country_id': cls.env.ref('base.be').id,
            }
        )
        cls.contact = Partner.create({'name': 'Tina Tour', 'parent_id': cls.customer.id, 'email': 'tina@co.example'})
        cls.user = cls._new_portal_user('tina_tour', cls.contact)
        cls.env['customer_portal.shared.document'].create(
            {'partner_id': cls.customer.id, 'name': 'Price list 2026.pdf', 'datas': base64.b64encode(PDF)}
        )

    def test_self_service_tour(self):
        self.start_tour('/my', 'customer_portal_self_service', login='tina_tour')
        self.assertEqual(self.customer.street, '7 Harbour Quay')
        colleague = self.customer.child_ids.filtered(lambda contact: contact.name == 'Colin Colleague')
        self.assertEqual(colleague.email, 'colin@tour-self-service.example')
        self.assertFalse(colleague.user_ids, "adding a colleague grants no portal access")
        uploaded = self.env['customer_portal.shared.document'].search(
            [('partner_id', '=', self.customer.id), ('direction', '=', 'customer')]
        )
        self.assertEqual(uploaded.name, 'Signed purchase order.pdf')
        self.assertEqual(uploaded.author_id, self.contact)
        self.assertEqual(uploaded.attachment_id.raw, PDF)
        Rating = self.env['rating.rating'].sudo()
        review = Rating.search(Rating._portal_review_domain(self.customer))
        self.assertEqual(len(review), 1)
        self.assertEqual(review.rating, 5)
        self.assertEqual(review.feedback, 'Quick delivery and a helpful team.')

from odoo.tests import new_test_user

from .common import PortalHttpCase


class ContactBusinessCommon(PortalHttpCase):
    """Two customer companies, each with a contact who signs in to the portal, and a salesperson of the
    first: the people of the Send Email (C14) and Write a review (P11) tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write({'email': 'hello@business.example', 'portal_activity_notify': False})
        cls.seller = new_test_user(
            cls.env,
            login='cb_seller',
            name='Sam Seller',
            email='sam@business.example',
            groups='sales_team.group_sale_salesman',
            notification_type='email',
        )
        cls.customer = cls.env['res.partner'].create(
            {'name': 'Acme Reviews Co', 'is_company': True, 'email': 'office@acme.example', 'user_id': cls.seller.id}
        )
        cls.contact = cls.env['res.partner'].create(
            {'name': 'Carla Customer', 'parent_id': cls.customer.id, 'email': 'carla@acme.example'}
        )
        cls.colleague = cls.env['res.partner'].create(
            {'name': 'Colin Colleague', 'parent_id': cls.customer.id, 'email': 'colin@acme.example'}
        )
        cls.carla = cls._new_portal_user('cb_carla', cls.contact)
        cls.colin = cls._new_portal_user('cb_colin', cls.colleague)
        cls.other_customer = cls.env['res.partner'].create({'name': 'Other Buyer Ltd', 'is_company': True})
        cls.other_contact = cls.env['res.partner'].create(
            {'name': 'Oscar Other', 'parent_id': cls.other_customer.id, 'email': 'oscar@other.example'}
        )
        cls.oscar = cls._new_portal_user('cb_oscar', cls.other_contact)

    def _post(self, url, **data):
        """POST the form of ``url`` (its CSRF token read from the page) without following the redirection."""
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200, url)
        return self.url_open(url, data={**data, 'csrf_token': self._csrf_token(page.text)}, allow_redirects=False)

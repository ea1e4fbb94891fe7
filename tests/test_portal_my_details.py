# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""My Details (P8, C13): a portal contact edits the customer company's details, billing address,
shipping addresses and contact persons; tracked on the customer's chatter, reported by P6; another
company's records are never reached; bad input saves nothing."""

from odoo.tests import new_test_user, tagged
from odoo.tools import html2plaintext

from .common_portal_account import PortalAccountCommon
from .test_portal_activity_events import ActivityAssertions


@tagged('post_install', '-at_install')
class TestPortalMyDetails(ActivityAssertions, PortalAccountCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.portal_allow_uploads = True
        cls.company.portal_activity_notify = True
        cls.seller = new_test_user(
            cls.env,
            login='c13_seller',
            name='Sam Seller',
            email='sam@seller.example',
            groups='account.group_account_invoice',
            notification_type='inbox',
        )
        cls.us = cls.env.ref('base.us')
        cls.california = cls.env.ref('base.state_us_5')
        cls.ontario = cls.env.ref('base.state_ca_on')
        cls.customer.write(
            {'user_id': cls.seller.id, 'country_id': cls.us.id, 'state_id': cls.california.id, 'zip': '94000'}
        )
        cls.ship = cls.env['res.partner'].create(
            {
                'name': 'Acme Warehouse',
                'type': 'delivery',
                'parent_id': cls.customer.id,
                'street': '9 Dock Road',
                'city': 'Oakland',
                'zip': '94607',
                'country_id': cls.us.id,
                'state_id': cls.california.id,
            }
        )
        cls.other_ship = cls.env['res.partner'].create(
            {
                'name': 'Other Depot',
                'type': 'delivery',
                'parent_id': cls.other_customer.id,
                'street': '5 Secret Lane',
                'city': 'Elsewhere',
                'country_id': cls.us.id,
            }
        )
        cls.other_colleague = cls.env['res.partner'].create(
            {'name': 'Oscar Other', 'parent_id': cls.other_customer.id, 'email': 'oscar@other.example'}
        )

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _post(self, url, values, allow_redirects=False):
        page = self.url_open('/my/account')
        self.assertEqual(page.status_code, 200)
        return self.url_open(
            url, data={'csrf_token': self._csrf_token(page.text), **values}, allow_redirects=allow_redirects
        )

    def _notes(self, partner=None):
        """The chatter notes on the customer company (or ``partner``), newest first."""
        partner = partner or self.customer
        return (
            self.env['mail.message']
            .sudo()
            .search(
                [
                    ('model', '=', 'res.partner'),
                    ('res_id', '=', partner.id),
                    ('subtype_id', '=', self.env.ref('mail.mt_note').id),
                    ('body', 'ilike', 'on the portal'),
                ]
            )
        )

    def _company_form(self, **values):
        customer = self.customer
        return {
            'name': customer.name,
            'email': customer.email,
            'phone': customer.phone,
            'street': customer.street,
            'street2': customer.street2 or '',
            'city': customer.city,
            'zip': customer.zip or '',
            'state_id': str(customer.state_id.id or ''),
            **values,
        }

    def _assert_redirect(self, response, url):
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertTrue(response.headers['Location'].endswith(url), response.headers['Location'])

    # ------------------------------------------------------------
    # The switch
    # ------------------------------------------------------------

    def test_switch_off_refuses_every_route(self):
        """P8 off: every My Details route answers 404 and changes nothing; the home says "contact us"
        and /my/account stays stock's."""
        self.company.portal_allow_uploads = False
        self._login(self.portal_user)
        for url in (
            '/my/details',
            '/my/details/company',
            '/my/details/address/new',
            f'/my/details/address/{self.ship.id}',
            '/my/details/contact/new',
            f'/my/details/contact/{self.contact_b.id}',
        ):
            self.assertEqual(self.url_open(url).status_code, 404, url)
        token = self._csrf_token(self.url_open('/my/account').text)
        for url, data in (
            ('/my/details/company', {'phone': '+1 000'}),
            (f'/my/details/address/{self.ship.id}', {'city': 'Nowhere'}),
            (f'/my/details/address/{self.ship.id}/archive', {}),
            ('/my/details/contact/new', {'name': 'Intruder'}),
            (f'/my/details/contact/{self.contact_b.id}/archive', {}),
        ):
            response = self.url_open(url, data={'csrf_token': token, **data}, allow_redirects=False)
            self.assertEqual(response.status_code, 404, url)
        self.assertEqual(self.customer.phone, '+1 555 0100')
        self.assertEqual(self.ship.city, 'Oakland')
        self.assertTrue(self.ship.active and self.contact_b.active)
        self.assertFalse(self.env['res.partner'].search([('name', '=', 'Intruder')]))
        home = self._home_html()
        self.assertIn('to change them, contact us', home)
        self.assertNotIn('href="/my/details"', home)
        self.assertNotIn('href="/my/details"', self.url_open('/my/account').text)

    def test_internal_user_refused(self):
        """Staff edit customers in the back office: the portal pages are not theirs."""
        self._login(self.seller)
        self.assertEqual(self.url_open('/my/details').status_code, 404)

    # ------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------

    def test_overview_lists_own_company_only(self):
        self._login(self.portal_user)
        home = self._home_html()
        self.assertIn('href="/my/details"', home)
        self.assertNotIn('to change them, contact us', home)
        self.assertIn('href="/my/details"', self.url_open('/my/account').text)
        response, tree = self._page('/my/details')
        text = ' '.join(tree.text_content().split())
        for expected in ('Acme Customer Co', 'billing@acme.example', 'US-ACME-42', 'Acme Warehouse', '9 Dock Road',
                         'Alice Acme', 'Bob Acme'):  # fmt: skip
            self.assertIn(expected, text)
        for foreign in ('Other Depot', 'Secret Lane', 'Oscar Other', 'Olga Other'):
            self.assertNotIn(foreign, text)
        # Portal users (Alice herself, Bob) are not archived from the portal.
        self.assertFalse(tree.xpath(f"//form[@action='/my/details/contact/{self.contact_b.id}/archive']"))
        self.assertTrue(tree.xpath(f"//form[@action='/my/details/address/{self.ship.id}/archive']"))
        # The forms: labelled fields with plain names.
        for url, names in (
            ('/my/details/company', ('name', 'email', 'phone', 'street', 'city', 'zip', 'country_id', 'state_id')),
            ('/my/details/address/new', ('name', 'phone', 'street', 'city', 'zip', 'country_id', 'state_id')),
            ('/my/details/contact/new', ('name', 'email', 'phone', 'function')),
        ):
            form = self._page(url)[1]
            for name in names:
                [field] = form.xpath(f"//form//*[@name='{name}']")
                self.assertTrue(form.xpath(f"//label[@for='{field.get('id')}']"), (url, name))

    # ------------------------------------------------------------
    # Company details
    # ------------------------------------------------------------

    def test_colleague_edits_company_tracked_and_notified(self):
        """Bob (a colleague, not the first contact) changes the phone and the billing street: saved, a
        note on the customer says who changed what from what to what, the salesperson is told (P6)."""
        self._login(self.colleague_user)
        response = self._post('/my/details/company', self._company_form(phone='+1 555 0200', street='2 High Street'))
        self._assert_redirect(response, '/my/details?saved=company')
        self.assertEqual(self.customer.phone, '+1 555 0200')
        self.assertEqual(self.customer.street, '2 High Street')
        [note] = self._notes()
        self.assertEqual(note.author_id, self.contact_b)
        body = html2plaintext(note.body)
        self.assertIn('Bob Acme changed the company', body)
        self.assertIn('Phone: +1 555 0100 \u2192 +1 555 0200', body)
        self.assertIn('Street: 1 Main Street \u2192 2 High Street', body)
        self.assertNotIn('City', body)  # unchanged
        [activity] = self._activity(self.customer, 'customer_portal.mt_portal_profile_changed')
        self.assertEqual(activity.notification_ids.res_partner_id, self.seller.partner_id)
        self.assertIn('Phone', activity.body)
        self.assertIn('Street', activity.body)
        page = self.url_open('/my/details?saved=company').text
        self.assertIn('details are saved', page)

    def test_unchanged_company_form_is_quiet(self):
        self._login(self.portal_user)
        self._assert_redirect(self._post('/my/details/company', self._company_form()), '/my/details?saved=company')
        self.assertFalse(self._notes())
        self.assertFalse(self._activity(self.customer, 'customer_portal.mt_portal_profile_changed'))

    def test_vat_locked_once_invoiced(self):
        """Acme has posted invoices: its tax ID and country are shown, not editable, and refused."""
        self.assertFalse(self.customer.can_edit_vat())
        self._login(self.portal_user)
        form = self._page('/my/details/company')[1]
        [vat] = form.xpath("//input[@name='vat']")
        self.assertEqual(vat.get('disabled'), 'disabled')
        self.assertEqual(vat.get('value'), 'US-ACME-42')
        [country] = form.xpath("//select[@name='country_id']")
        self.assertEqual(country.get('disabled'), 'disabled')
        response = self._post('/my/details/company', self._company_form(vat='US-FORGED-1', phone='+1 555 0300'))
        self.assertEqual(response.status_code, 200)
        self.assertIn('cannot be changed once invoices have been issued', response.text)
        self.assertEqual(self.customer.vat, 'US-ACME-42')
        self.assertEqual(self.customer.phone, '+1 555 0100')  # nothing saved
        self.assertFalse(self._notes())

    def test_vat_editable_before_any_invoice(self):
        fresh = self.env['res.partner'].create({'name': 'Fresh Co', 'is_company': True, 'vat': 'FR-OLD'})
        contact = self.env['res.partner'].create(
            {'name': 'Fred Fresh', 'parent_id': fresh.id, 'email': 'f@fresh.example'}
        )
        user = self._new_portal_user('fresh_fred', contact)
        self._login(user)
        [vat] = self._page('/my/details/company')[1].xpath("//input[@name='vat']")
        self.assertIsNone(vat.get('disabled'))
        response = self._post('/my/details/company', {'name': 'Fresh Company', 'vat': 'FR-NEW'})
        self._assert_redirect(response, '/my/details?saved=company')
        self.assertEqual((fresh.name, fresh.vat), ('Fresh Company', 'FR-NEW'))
        self.assertEqual(contact.vat, 'FR-NEW')  # a commercial field: the contacts follow
        self.assertIn('Tax ID: FR-OLD \u2192 FR-NEW', html2plaintext(self._notes(fresh).body))

    # ------------------------------------------------------------
    # Validation
    # ------------------------------------------------------------

    def test_company_validation_errors_save_nothing(self):
        self._login(self.portal_user)
        cases = [
            ({'email': 'not-an-email'}, 'Enter a valid email address'),
            ({'state_id': str(self.ontario.id)}, 'Ontario is not a state of United States'),
            ({'name': '  '}, 'Name is required.'),
            ({'city': ''}, 'City is required.'),
            ({'street': ''}, 'Street is required.'),
            ({'street': 'a\x00b'}, 'Street contains characters that are not allowed.'),
            ({'name': 'x' * 4096}, 'Name is too long: 256 characters at most.'),
            ({'state_id': '99999999'}, 'State: choose one from the list.'),
            ({'state_id': '1 OR 1=1'}, 'State: choose one from the list.'),
        ]
        for values, message in cases:
            with self.subTest(values=values):
                response = self._post('/my/details/company', self._company_form(phone='+1 555 0400', **values))
                self.assertEqual(response.status_code, 200)
                self.assertIn('Nothing was saved', response.text)
                self.assertIn(message, html2plaintext(response.text))
                self.assertEqual(self.customer.phone, '+1 555 0100')
        self.assertFalse(self._notes())
        self.assertFalse(self._activity(self.customer, 'customer_portal.mt_portal_profile_changed'))

    def test_address_validation_errors_save_nothing(self):
        self._login(self.portal_user)
        count = self.env['res.partner'].search_count([('parent_id', '=', self.customer.id)])
        response = self._post('/my/details/address/new', {'name': 'Half', 'street': '', 'city': '', 'country_id': ''})
        self.assertEqual(response.status_code, 200)
        text = html2plaintext(response.text)
        for message in ('Street is required.', 'City is required.', 'Country is required.'):
            self.assertIn(message, text)
        # The form keeps what was typed.
        self.assertIn('value="Half"', response.text)
        response = self._post(
            f'/my/details/address/{self.ship.id}', {'state_id': str(self.ontario.id), 'city': 'Berkeley'}
        )
        self.assertIn('Ontario is not a state of United States', html2plaintext(response.text))
        self.assertEqual(self.ship.city, 'Oakland')
        self.assertEqual(self.env['res.partner'].search_count([('parent_id', '=', self.customer.id)]), count)
        self.assertFalse(self._notes())

    # ------------------------------------------------------------
    # Shipping addresses
    # ------------------------------------------------------------

    def test_shipping_address_add_edit_archive(self):
        self._login(self.portal_user)
        response = self._post(
            '/my/details/address/new',
            {
                'name': 'Acme North Site',
                'street': '7 Frost Avenue',
                'city': 'Fairbanks',
                'zip': '99701',
                'country_id': str(self.us.id),
                'state_id': str(self.env.ref('base.state_us_2').id),
                # Not on the allow-list: ignored.
                'parent_id': str(self.other_customer.id),
                'type': 'invoice',
                'user_id': str(self.env.ref('base.user_admin').id),
            },
        )
        self._assert_redirect(response, '/my/details?saved=address')
        address = self.env['res.partner'].search([('name', '=', 'Acme North Site')])
        self.assertEqual(address.parent_id, self.customer)
        self.assertEqual(address.type, 'delivery')
        self.assertEqual((address.street, address.city, address.state_id.code), ('7 Frost Avenue', 'Fairbanks', 'AK'))
        self.assertEqual(address.user_id, self.seller)  # the company's salesperson, not the one sent
        body = html2plaintext(self._notes()[0].body)
        self.assertIn('Alice Acme added the shipping address', body)
        self.assertIn('Street: (empty) \u2192 7 Frost Avenue', body)

        self._assert_redirect(
            self._post(f'/my/details/address/{address.id}', {'street': '8 Frost Avenue'}), '/my/details?saved=address'
        )
        self.assertEqual(address.street, '8 Frost Avenue')
        self.assertIn('Street: 7 Frost Avenue \u2192 8 Frost Avenue', html2plaintext(self._notes()[0].body))

        self._assert_redirect(
            self._post(f'/my/details/address/{address.id}/archive', {}), '/my/details?saved=address_archived'
        )
        self.assertFalse(address.active)
        self.assertIn('Alice Acme archived the shipping address', html2plaintext(self._notes()[0].body))
        self.assertEqual(len(self._activity(self.customer, 'customer_portal.mt_portal_profile_changed')), 3)
        # Archived: no longer listed, nor editable.
        self.assertNotIn('8 Frost Avenue', self.url_open('/my/details').text)
        self.assertEqual(self.url_open(f'/my/details/address/{address.id}').status_code, 404)

    # ------------------------------------------------------------
    # Contact persons
    # ------------------------------------------------------------

    def test_add_colleague_without_portal_access(self):
        self._login(self.portal_user)
        response = self._post(
            '/my/details/contact/new',
            {'name': 'Carol Acme', 'email': 'carol@acme.example', 'phone': '+1 555 0111', 'function': 'Buyer'},
        )
        self._assert_redirect(response, '/my/details?saved=contact')
        carol = self.env['res.partner'].search([('name', '=', 'Carol Acme')])
        self.assertEqual(carol.parent_id, self.customer)
        self.assertEqual((carol.type, carol.email, carol.function), ('contact', 'carol@acme.example', 'Buyer'))
        self.assertFalse(carol.with_context(active_test=False).user_ids)
        self.assertFalse(self.env['res.users'].with_context(active_test=False).search([('login', '=', carol.email)]))
        body = html2plaintext(self._notes()[0].body)
        self.assertIn('Alice Acme added the contact person Carol Acme', body)
        self.assertIn('Job Position: (empty) \u2192 Buyer', body)
        # Edit, then archive the colleague.
        self._assert_redirect(
            self._post(f'/my/details/contact/{carol.id}', {'function': 'Head Buyer'}), '/my/details?saved=contact'
        )
        self.assertEqual(carol.function, 'Head Buyer')
        self._assert_redirect(
            self._post(f'/my/details/contact/{carol.id}/archive', {}), '/my/details?saved=contact_archived'
        )
        self.assertFalse(carol.active)

    def test_contact_edited_by_owner_and_colleague(self):
        """Alice edits her own entry (her email too); Bob edits Alice's phone, not her email: her
        portal sign-in emails go there."""
        self._login(self.portal_user)
        self._assert_redirect(
            self._post(f'/my/details/contact/{self.contact_a.id}', {'email': 'alice@new.example', 'function': 'CFO'}),
            '/my/details?saved=contact',
        )
        self.assertEqual((self.contact_a.email, self.contact_a.function), ('alice@new.example', 'CFO'))
        self._login(self.colleague_user)
        [email] = self._page(f'/my/details/contact/{self.contact_a.id}')[1].xpath("//input[@name='email']")
        self.assertEqual(email.get('disabled'), 'disabled')
        self._assert_redirect(
            self._post(f'/my/details/contact/{self.contact_a.id}', {'phone': '+1 555 0122'}),
            '/my/details?saved=contact',
        )
        self.assertEqual(self.contact_a.phone, '+1 555 0122')
        self.assertIn('Bob Acme changed the contact person Alice Acme', html2plaintext(self._notes()[0].body))
        response = self._post(f'/my/details/contact/{self.contact_a.id}', {'email': 'bob-owns@evil.example'})
        self.assertEqual(response.status_code, 200)
        self.assertIn('Only Alice Acme can change their email address', html2plaintext(response.text))
        self.assertEqual(self.contact_a.email, 'alice@new.example')

    def test_portal_users_not_archived(self):
        self._login(self.portal_user)
        for contact, message in (
            (self.contact_a, 'You cannot archive yourself.'),
            (self.contact_b, 'Bob Acme has access to the portal'),
        ):
            response = self._post(f'/my/details/contact/{contact.id}/archive', {})
            self.assertEqual(response.status_code, 200)
            self.assertIn(message, html2plaintext(response.text))
            self.assertTrue(contact.active)

    # ------------------------------------------------------------
    # Another company's records
    # ------------------------------------------------------------

    def test_foreign_ids_refused(self):
        """Ids of another company's address or contact, of the company itself, of an address as a contact:
        404 and nothing changes."""
        self._login(self.portal_user)
        refused = [
            ('GET', f'/my/details/address/{self.other_ship.id}', {}),
            ('POST', f'/my/details/address/{self.other_ship.id}', {'city': 'Hacked'}),
            ('POST', f'/my/details/address/{self.other_ship.id}/archive', {}),
            ('GET', f'/my/details/contact/{self.other_colleague.id}', {}),
            ('POST', f'/my/details/contact/{self.other_colleague.id}', {'name': 'Hacked'}),
            ('POST', f'/my/details/contact/{self.other_colleague.id}/archive', {}),
            ('POST', f'/my/details/contact/{self.other_contact.id}', {'email': 'hacked@evil.example'}),
            ('POST', f'/my/details/contact/{self.other_customer.id}', {'name': 'Hacked'}),
            ('POST', f'/my/details/contact/{self.customer.id}', {'name': 'Hacked'}),
            ('POST', f'/my/details/address/{self.customer.id}', {'city': 'Hacked'}),
            ('POST', f'/my/details/contact/{self.ship.id}', {'name': 'Hacked'}),  # an address is no contact
            ('POST', f'/my/details/address/{self.contact_b.id}/archive', {}),  # nor a contact an address
            ('GET', '/my/details/address/2147483648', {}),
            ('GET', '/my/details/contact/0', {}),
        ]
        for method, url, values in refused:
            with self.subTest(url=url, method=method):
                if method == 'GET':
                    response = self.url_open(url, allow_redirects=False)
                else:
                    response = self._post(url, values)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn('Secret Lane', response.text)
        self.assertEqual((self.other_ship.city, self.other_ship.active), ('Elsewhere', True))
        self.assertEqual((self.other_colleague.name, self.other_colleague.active), ('Oscar Other', True))
        self.assertEqual(self.other_contact.email, 'olga@other.example')
        self.assertEqual(self.other_customer.name, 'Other Customer Co')
        self.assertEqual(self.customer.name, 'Acme Customer Co')
        self.assertEqual(self.ship.name, 'Acme Warehouse')
        self.assertTrue(self.contact_b.active)
        self.assertFalse(self._notes() | self._notes(self.other_customer))

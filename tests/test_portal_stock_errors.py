# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Issue 21: the stock 500s a web vulnerability scanner found on pages every customer uses."""

import re

from odoo.tests import tagged

from .common_portal_security import PortalSecurityCommon


@tagged('post_install', '-at_install')
class TestPortalStockErrors(PortalSecurityCommon):
    """The stock 500s on pages every customer uses: partner_id in the query string of the invoice
    page and of the payment methods page, and the address form with a country or state that is
    not an id."""

    def test_partner_id_in_the_query_string_is_ignored(self):
        """partner_id and the like in the query string are ignored, not a 500."""
        self.authenticate(self.portal_user_1.login, self.portal_user_1.login)
        invoice = self.docs['A']['invoice']
        other = self.other_customer
        for query in (
            f'partner_id={other.id}',
            'partner_id=abc',
            f'currency_id=1&company_id={self.company.id}',
            'report=1&invoices_data=1',
            f'partner_id={other.id}&partner_id=1',
        ):
            with self.subTest(query=query):
                response = self.url_open(f'/my/invoices/{invoice.id}?{query}')
                self.assertEqual(response.status_code, 200)
                self.assertIn(invoice.name, response.text)
                self.assertIn('4,617.23', response.text)
                self.assertNotIn(other.name, response.text)
                response = self.url_open(f'/my/payment_method?{query}&amount=5&is_validation=0')
                self.assertEqual(response.status_code, 200)
                self.assertIn('Payment Methods', response.text)
                self.assertNotIn(other.name, response.text)
        # The overdue invoices page of stock (bulk payments off) has the same payment form.
        self.company.portal_bulk_payment = False
        response = self.url_open(f'/my/invoices/overdue?partner_id={other.id}&invoices_data=1')
        self.assertEqual(response.status_code, 200)
        self.assertIn('o_payment_form', response.text)
        self.assertNotIn(other.name, response.text)

    def _address(self, partner, **values):
        return {
            'name': partner.name,
            'phone': '+32 470 12 34 56',
            'email': partner.email,
            'street': 'Rue du Pont 5',
            'city': 'Namur',
            'zipcode': '5000',
            'country_id': str(self.env.ref('base.be').id),
            'state_id': '',
            **values,
        }

    def _post_account(self, values):
        page = self.url_open('/my/account')
        self.assertEqual(page.status_code, 200)
        return self.url_open(
            '/my/account', data={**values, 'csrf_token': self._csrf_token(page.text)}, allow_redirects=False
        )

    @staticmethod
    def _form_errors(response):
        return ' '.join(
            re.sub(r'<[^>]+>|\s+', ' ', alert)
            for alert in re.findall(r'alert-danger[^>]*>(.*?)</div>', response.text, re.S)
        )

    def test_address_form_refuses_a_country_or_state_that_is_not_an_id(self):
        """The address form refuses a country or state that is not an id, and changes nothing."""
        # A customer who may still change their country (no parent company, no invoice yet).
        user = self._new_portal_user('cp_sec_address', name='Hana Address')
        partner = user.partner_id
        partner.write({'country_id': self.env.ref('base.be').id, 'street': 'Rue du Pont 5'})
        self.authenticate(user.login, user.login)
        before = partner.read(['street', 'country_id', 'state_id'])[0]
        us_state = self.env.ref('base.state_us_5')
        hostile = ['abc', '1.5', '-1', '0', '99999999', '2147483648', '9' * 4096, '١٢', ' 1', '[1,2]']
        for field_name in ('state_id', 'country_id'):
            # A state of another country than the one chosen is refused too.
            for value in hostile + ([str(us_state.id)] if field_name == 'state_id' else []):
                for with_other_error in (True, False):
                    values = self._address(partner, street='Rue Neuve 7', **{field_name: value})
                    if with_other_error:
                        values['phone'] = ''
                    with self.subTest(field=field_name, value=value[:20], other_error=with_other_error):
                        response = self._post_account(values)
                        self.assertEqual(response.status_code, 200, response.text[:500])
                        self.assertIn("Choose your country and your state from the lists.", self._form_errors(response))
                        partner.invalidate_recordset()
                        self.assertEqual(partner.read(['street', 'country_id', 'state_id'])[0], before)
        # A NUL byte in a text field is refused as well (PostgreSQL refuses it on saving).
        response = self._post_account(self._address(partner, street='Rue\x00 Neuve'))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Some fields hold characters that are not allowed.", self._form_errors(response))
        # The form still saves a valid address, state included.
        us = self.env.ref('base.us')
        response = self._post_account(
            self._address(partner, street='Rue Neuve 7', country_id=str(us.id), state_id=str(us_state.id))
        )
        self.assertEqual(response.status_code, 303, self._form_errors(response))
        partner.invalidate_recordset()
        self.assertEqual((partner.street, partner.country_id, partner.state_id), ('Rue Neuve 7', us, us_state))

    def test_address_form_of_a_contact_with_a_state_that_is_not_an_id(self):
        """A contact of a customer company cannot change the country (stock puts the saved one back):
        a malformed state is refused all the same, with the form shown again."""
        user = self.portal_user_1
        self.authenticate(user.login, user.login)
        partner = user.partner_id
        before = partner.read(['street', 'country_id', 'state_id'])[0]
        for value in ('abc', '99999999', '[1,2]'):
            for phone in ('', '+32 470 12 34 56'):
                with self.subTest(value=value, phone=phone):
                    response = self._post_account(self._address(partner, state_id=value, phone=phone))
                    self.assertEqual(response.status_code, 200)
                    self.assertIn("Choose your country and your state from the lists.", self._form_errors(response))
                    partner.invalidate_recordset()
                    self.assertEqual(partner.read(['street', 'country_id', 'state_id'])[0], before)

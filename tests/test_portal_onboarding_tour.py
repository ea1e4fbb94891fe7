import os
import time
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tests.common import ChromeBrowser

from .test_portal_onboarding import PortalOnboardingCommon


class OnboardingTourCase(PortalOnboardingCommon):
    def _tour(self, url, tour, login, shot=None):
        """Run ``tour``; with CP_SCREENSHOTS set, the page as the tour leaves it is saved (Odoo's screenshots
        folder) as ``shot``."""
        if not (shot and os.environ.get('CP_SCREENSHOTS')):
            return self.start_tour(url, tour, login=login)
        stop = ChromeBrowser.stop

        def stop_after_screenshot(browser):
            browser.take_screenshot(prefix=f'{shot}_').result(timeout=10)
            time.sleep(0.5)  # the file is written by the future's callback
            stop(browser)

        with patch.object(ChromeBrowser, 'stop', stop_after_screenshot):
            return self.start_tour(url, tour, login=login)


@tagged('post_install', '-at_install')
class TestPortalOnboardingTour(OnboardingTourCase):
    def test_admin_invites_two_contacts_then_sees_accepted(self):
        """Configure two contacts from the customer's form, see Invited; the customer accepts; see Accepted."""
        url = f'/odoo/res.partner/{self.customer.id}'
        with self.mock_mail_gateway():
            self._tour(url, 'customer_portal_configure_portal', 'admin', shot='backoffice_configure_1366')
        self.assertTrue(self.alice.user_ids._is_portal())
        self.assertTrue(self.bob.user_ids._is_portal())
        self.assertEqual(self.alice.portal_invitation_state, 'invited')
        token = self._signup_token(self._mails_to('alice@zeta.example'))
        self.url_open('/web/session/logout')  # the administrator's session of the tour: Alice signs up on her own
        self._accept(token, 'alice-secret')
        self.alice.invalidate_recordset()
        self.assertEqual(self.alice.portal_invitation_state, 'accepted', "Alice signed in with her new password")
        self.url_open('/web/session/logout')
        self._tour(url, 'customer_portal_portal_accepted', 'admin', shot='backoffice_accepted_1366')


@tagged('post_install', '-at_install')
class TestPortalOnboardingSignupTour(OnboardingTourCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.portal_allow_signup = True
        # A visitor has no email: the invitation is sent from the company's default address (its alias domain).
        cls.env.company.alias_domain_id = cls.env['mail.alias.domain'].create({'name': 'zeta-test.example'})
        product = cls.env['product.product'].create({'name': 'Service', 'lst_price': 100.0})
        cls.invoice = cls.env['account.move'].create({
            'move_type': 'out_invoice', 'partner_id': cls.customer.id,
            'invoice_line_ids': [(0, 0, {'product_id': product.id, 'price_unit': 100.0})],
        })  # fmt: skip
        cls.invoice.action_post()

    def test_visitor_asks_for_an_account_phone_and_desktop(self):
        """The offer on the public invoice, at 390 and 1366 px; asking for it sends the invitation on record."""
        for size in ('390x844', '1366x768'):
            with self.subTest(size=size):
                self.browser_size = size
                width = size.split('x')[0]
                self._tour(
                    self.invoice.get_portal_url(), 'customer_portal_signup_offer', None, shot=f'signup_offer_{width}'
                )
        with self.mock_mail_gateway():
            self._tour(self.invoice.get_portal_url(), 'customer_portal_signup_request', None, shot='signup_sent_1366')
        self.assertEqual(len(self._mails_to('office@zeta.example')), 1)

    def test_my_account_language_phone_and_desktop(self):
        self.env['res.lang']._activate_lang('fr_FR')
        user = self._new_portal_user('zeta_bob', self.bob)
        for size in ('390x844', '1366x768'):
            with self.subTest(size=size):
                self.browser_size = size
                width = size.split('x')[0]
                self._tour('/my/account', 'customer_portal_account_language', user.login, shot=f'my_account_{width}')

import logging
import re
import time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools.misc import hmac

from odoo.addons.mail.tests.common import MockEmail

from .common import PortalHttpCase

_logger = logging.getLogger(__name__)


class PortalOnboardingCommon(MockEmail, PortalHttpCase):
    """A customer company with an email, two contacts with one and one without."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['ir.config_parameter'].sudo().set_param('auth_password_policy.minlength', 4)
        cls.customer = cls.env['res.partner'].create(
            {'name': 'Zeta Trading', 'is_company': True, 'email': 'office@zeta.example'}
        )
        cls.alice, cls.bob, cls.carl = cls.env['res.partner'].create([
            {'name': 'Alice Zeta', 'parent_id': cls.customer.id, 'email': 'alice@zeta.example', 'type': 'contact'},
            {'name': 'Bob Zeta', 'parent_id': cls.customer.id, 'email': 'bob@zeta.example', 'type': 'contact'},
            {'name': 'Carl Zeta', 'parent_id': cls.customer.id, 'type': 'contact'},
        ])  # fmt: skip

    def _configure(self, customer, ticked):
        """Open Configure Customer Portal on ``customer``, tick exactly ``ticked``, save."""
        action = customer.action_open_portal_configure()
        wizard = self.env['portal.wizard'].browse(action['res_id'])
        for line in wizard.user_ids:
            line.portal_selected = line.partner_id in ticked
        wizard.action_portal_configure_save()
        return wizard

    def _mails_to(self, email):
        return self._new_mails.filtered(lambda mail: email in (mail.email_to or ''))

    def _signup_token(self, mail):
        match = re.search(r'token=([\w-]+)', mail.body_html)
        self.assertTrue(match, "the invitation holds a sign-up link")
        return match[1]

    def _accept(self, token, password):
        """Follow the invitation's link and choose a password, as the customer does (real requests)."""
        page = self.url_open(f'/web/signup?token={token}')
        self.assertEqual(page.status_code, 200)
        self.assertNotIn('Invalid signup token', page.text)
        login = re.search(r'name="login"[^>]*value="([^"]+)"', page.text)[1]
        data = {
            'csrf_token': self._csrf_token(page.text), 'token': token, 'login': login, 'name': login,
            'password': password, 'confirm_password': password,
        }  # fmt: skip
        return self.url_open('/web/signup', data=data)


@tagged('post_install', '-at_install')
class TestPortalOnboardingWizard(PortalOnboardingCommon):
    def test_configure_lists_contacts_and_says_why_not(self):
        """The customer (it has an email) and its contacts, each with a box; Carl has no email: no box, a reason."""
        action = self.customer.action_open_portal_configure()
        wizard = self.env['portal.wizard'].browse(action['res_id'])
        lines = {line.partner_id: line for line in wizard.user_ids}
        self.assertEqual(set(lines), {self.customer, self.alice, self.bob, self.carl})
        self.assertFalse(lines[self.carl].portal_selectable)
        self.assertIn("No email address", lines[self.carl].portal_unselectable_reason)
        self.assertTrue(lines[self.alice].portal_selectable)
        self.assertEqual(lines[self.alice].portal_invitation_status, "Not invited")
        lines[self.carl].portal_selected = True
        with self.assertRaisesRegex(UserError, "does not have a valid email"):
            wizard.action_portal_configure_save()

    def test_grant_then_revoke(self):
        """Save grants access and emails the invitation; unticking revokes it: the user can no longer sign in."""
        with self.mock_mail_gateway():
            self._configure(self.customer, self.alice | self.bob)
        self.assertEqual(len(self._mails_to('alice@zeta.example')), 1)
        self.assertEqual(len(self._mails_to('bob@zeta.example')), 1)
        self.assertFalse(self._mails_to('office@zeta.example'))
        alice_user = self.alice.user_ids
        self.assertTrue(alice_user._is_portal())
        self.assertEqual(self.alice.portal_invitation_state, 'invited')
        self.assertTrue(self.alice.portal_invitation_status.startswith("Invited on "))
        self.assertEqual(self.customer.portal_customer_state, 'invited')

        alice_user.password = 'alice-secret'
        response = self._login_form(alice_user.login, 'alice-secret')
        self.assertIn('/my', response.url, "Alice signs in while she has access")
        self.url_open('/web/session/logout')

        self._configure(self.customer, self.bob)
        self.assertFalse(alice_user.with_context(active_test=False).active)
        self.assertEqual(self.alice.portal_invitation_state, 'revoked')
        self.assertEqual(self.alice.portal_invitation_status, "Access revoked")
        self.assertTrue(self.bob.user_ids._is_portal(), "Bob, still ticked, keeps his access")
        response = self._login_form(alice_user.login, 'alice-secret')
        self.assertIn('Wrong login/password', response.text)
        self.assertNotIn('/my', response.url)


@tagged('post_install', '-at_install')
class TestPortalOnboardingCreate(PortalOnboardingCommon):
    def test_create_with_portal_access(self):
        """A new customer saved with "Allow portal access" is invited at its email."""
        with self.mock_mail_gateway():
            partner = self.env['res.partner'].create(
                {'name': 'New Co', 'is_company': True, 'email': 'hello@newco.example', 'portal_allow_access': True}
            )
        self.assertTrue(partner.user_ids._is_portal())
        self.assertEqual(partner.portal_invitation_state, 'invited')
        self.assertEqual(len(self._mails_to('hello@newco.example')), 1)

    def test_create_without_email_refused(self):
        """Without an email the save is refused with a clear message, and nothing is created."""
        count = self.env['res.partner'].search_count([])
        with self.assertRaisesRegex(UserError, "no valid email address"):
            self.env['res.partner'].create({'name': 'No Mail Co', 'is_company': True, 'portal_allow_access': True})
        self.assertEqual(self.env['res.partner'].search_count([]), count)

    def test_create_without_the_box(self):
        partner = self.env['res.partner'].create({'name': 'Quiet Co', 'email': 'quiet@example.com'})
        self.assertFalse(partner.user_ids)
        self.assertEqual(partner.portal_invitation_status, "Not invited")


@tagged('post_install', '-at_install')
class TestPortalOnboardingBulk(PortalOnboardingCommon):
    def test_enable_portal_each_case(self):
        """Invited: the company's email, else the first contact with one; skipped, each with its reason."""
        Partner = self.env['res.partner']
        with_email = Partner.create({'name': 'Has Mail Co', 'is_company': True, 'email': 'a@hasmail.example'})
        contact_only = Partner.create({'name': 'Contact Mail Co', 'is_company': True})
        first = Partner.create({'name': 'First', 'parent_id': contact_only.id, 'email': 'first@contact.example'})
        no_email = Partner.create({'name': 'Silent Co', 'is_company': True})
        has_access = Partner.create({'name': 'Member Co', 'is_company': True, 'email': 'm@member.example'})
        self._new_portal_user('member', has_access)
        other_company = self.env['res.company'].create({'name': 'Sister Company'})
        foreign = Partner.create(
            {'name': 'Foreign Co', 'is_company': True, 'email': 'f@foreign.example', 'company_id': other_company.id}
        )
        customers = with_email | contact_only | no_email | has_access | foreign
        with self.mock_mail_gateway():
            action = customers.action_enable_portal()
            self.assertFalse(self._new_mails, "the invitations are sent by the cron, not during the request")
            self.env['portal.wizard']._cron_portal_send_invitations()
        summary = str(self.env['portal.wizard'].browse(action['res_id']).portal_summary)
        self.assertIn("2 customers invited", summary)
        self.assertIn("3 customers skipped", summary)
        self.assertIn("Has Mail Co (a@hasmail.example)", summary)
        self.assertIn("Contact Mail Co (first@contact.example)", summary)
        self.assertIn("Silent Co: no email address", summary)
        self.assertIn("Member Co: already has portal access", summary)
        self.assertIn("Foreign Co: belongs to another company (Sister Company)", summary)
        self.assertTrue(with_email.user_ids._is_portal())
        self.assertTrue(first.user_ids._is_portal())
        self.assertFalse(foreign.user_ids)
        self.assertEqual(contact_only.portal_customer_state, 'invited')
        # Queued for the mail cron, not sent during the request.
        mails = self._mails_to('a@hasmail.example') | self._mails_to('first@contact.example')
        self.assertEqual(len(mails), 2)
        self.assertEqual(set(mails.mapped('state')), {'outgoing'})

    def test_enable_portal_500_customers(self):
        """500 customers in one go: the request queues them, the cron invites them in batches of 100 (the times
        are logged, not asserted)."""
        customers = self.env['res.partner'].create(
            [{'name': f'Bulk {n:03d}', 'is_company': True, 'email': f'bulk{n}@bulk.example'} for n in range(500)]
        )
        self.env.flush_all()
        start = time.monotonic()
        with self.mock_mail_gateway():
            action = customers.action_enable_portal()
            queued = time.monotonic() - start
            runs = 0
            while self.env['portal.wizard']._cron_portal_send_invitations():
                runs += 1
        sent = time.monotonic() - start - queued
        _logger.info(
            "Enable Portal on 500 customers: %.1f s to queue them, %.1f s for the cron to invite them in %d runs",
            queued,
            sent,
            runs + 1,
        )
        self.assertIn("500 customers invited", str(self.env['portal.wizard'].browse(action['res_id']).portal_summary))
        self.assertEqual(runs + 1, 5, "batches of 100")
        self.assertEqual(len(customers.user_ids), 500)
        self.assertEqual(len(self._new_mails), 500)
        self.assertEqual(set(self._new_mails.mapped('state')), {'outgoing'}, "queued for the mail cron")


@tagged('post_install', '-at_install')
class TestPortalOnboardingStatus(PortalOnboardingCommon):
    def test_status_transitions_and_reinvite(self):
        """Not invited, Invited, re-invited (the first link stops working), Accepted at the first sign-in, revoked."""
        self.assertEqual(self.alice.portal_invitation_status, "Not invited")
        with self.mock_mail_gateway():
            self._configure(self.customer, self.alice)
        old_token = self._signup_token(self._mails_to('alice@zeta.example'))
        self.assertEqual(self.alice.portal_invitation_state, 'invited')
        self.assertIn("(Alice Zeta)", self.customer.portal_invitation_status)

        time.sleep(1.1)  # the links' issue times are in seconds
        with self.mock_mail_gateway():
            self.alice.action_portal_reinvite()
        new_token = self._signup_token(self._mails_to('alice@zeta.example'))
        self.assertNotEqual(old_token, new_token)
        page = self.url_open(f'/web/signup?token={old_token}')
        self.assertIn('Invalid signup token', page.text, "the link of the first invitation is void")

        response = self._accept(new_token, 'alice-secret')
        self.assertIn('/my', response.url, "signed in after choosing a password")
        self.alice.invalidate_recordset()
        self.assertEqual(self.alice.portal_invitation_state, 'accepted')
        self.assertTrue(self.alice.portal_invitation_status.startswith("Accepted on "))
        self.assertEqual(self.customer.portal_customer_state, 'accepted')
        self.assertEqual(
            self.env['res.partner'].search([('id', '=', self.customer.id), ('portal_customer_state', '=', 'accepted')]),
            self.customer,
            "the list filter finds it",
        )
        page = self.url_open(f'/web/signup?token={new_token}')
        self.assertIn('Invalid signup token', page.text, "a used link cannot be used again")

        self._configure(self.customer, self.env['res.partner'])
        self.assertEqual(self.alice.portal_invitation_status, "Access revoked")
        self.assertEqual(self.customer.portal_customer_state, 'revoked')


@tagged('post_install', '-at_install')
class TestPortalOnboardingLanguage(PortalOnboardingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['res.lang']._activate_lang('fr_FR')
        modules = cls.env['ir.module.module'].search([('name', 'in', ('portal', 'auth_signup', 'customer_portal'))])
        cls.env['ir.module.module']._load_module_terms(modules.mapped('name'), ['fr_FR'], overwrite=True)

    def test_portal_language_of_invitation_pages_and_existing_users(self):
        """A French customer: the invitation and the portal in French; changing it changes existing users'."""
        self.assertEqual(self.customer.portal_lang, self.customer.lang, "default: the customer's language")
        self.customer.portal_lang = 'fr_FR'
        with self.mock_mail_gateway():
            self._configure(self.customer, self.alice)
        mail = self._mails_to('alice@zeta.example')
        self.assertIn("Activer le compte", mail.body_html)
        self.assertEqual(self.alice.lang, 'fr_FR')
        self.assertEqual(self.bob.lang, 'en_US', "a contact without access is left alone")

        self.alice.user_ids.password = 'alice-secret'
        self._login_form(self.alice.user_ids.login, 'alice-secret')
        page = self.url_open('/my/account')
        self.assertIn('<html lang="fr-FR"', page.text)
        self.assertIn('Ignorer', page.text, "stock's Discard, in French")
        # A contact chooses their own language on /my/account.
        self.assertIn('name="lang"', page.text)

        self.customer.portal_lang = 'en_US'
        self.assertEqual(self.alice.lang, 'en_US', "existing portal users follow the customer's portal language")

    def test_my_account_language_choice(self):
        """The contact's own choice on /my/account; a language not installed is refused, nothing changes."""
        user = self._new_portal_user('zeta_alice', self.alice)
        self._login_form(user.login, user.login)
        page = self.url_open('/my/account')
        form = {
            'csrf_token': self._csrf_token(page.text), 'name': 'Alice Zeta', 'email': 'alice@zeta.example',
            'phone': '+1 555', 'street': '1 Road', 'city': 'Paris', 'country_id': str(self.env.ref('base.fr').id),
        }  # fmt: skip
        response = self.url_open('/my/account', data={**form, 'lang': 'xx_XX'})
        self.assertEqual(response.status_code, 200)
        self.assertIn('Choose one of the languages offered.', response.text)
        self.assertEqual(user.lang, 'en_US')
        self.url_open('/my/account', data={**form, 'lang': 'fr_FR'})
        user.invalidate_recordset()
        self.assertEqual(user.lang, 'fr_FR')
        self.assertIn('<html lang="fr-FR"', self.url_open('/my/account').text)

    def test_statement_pdf_in_portal_language(self):
        """The statement PDF of a customer whose portal language is French is in French."""
        self.customer.portal_lang = 'fr_FR'
        self.assertEqual(self.customer.lang, 'en_US')
        company = self.env.company
        pdf, _type = (
            self.env['ir.actions.report']
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(
                'customer_portal.action_report_portal_statement',
                self.customer.ids,
                data={'date_from': '2026-01-01', 'date_to': '2026-12-31', 'company_id': company.id},
            )
        )
        html = (
            self.env['ir.actions.report']
            ._render_qweb_html(
                'customer_portal.action_report_portal_statement',
                self.customer.ids,
                data={'date_from': '2026-01-01', 'date_to': '2026-12-31', 'company_id': company.id},
            )[0]
            .decode()
        )
        self.assertTrue(pdf.startswith(b'%PDF'))
        self.assertIn('Relevé de compte', html)
        self.assertNotIn('Statement of Account', html)


@tagged('post_install', '-at_install')
class TestPortalOnboardingSignup(PortalOnboardingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        # A visitor has no email: the invitation is sent from the company's default address (its alias domain).
        cls.env.company.alias_domain_id = cls.env['mail.alias.domain'].create({'name': 'zeta-test.example'})
        product = cls.env['product.product'].create({'name': 'Service', 'lst_price': 100.0})
        cls.invoice = cls.env['account.move'].create({
            'move_type': 'out_invoice', 'partner_id': cls.customer.id,
            'invoice_line_ids': [Command.create({'product_id': product.id, 'price_unit': 100.0})],
        })  # fmt: skip
        cls.invoice.action_post()
        cls.invoice_url = cls.invoice.get_portal_url()

    def _signup_form(self, url):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        match = re.search(r'action="(/my/invoices/\d+/signup)".*?name="signup_token" value="([^"]+)"', page.text, re.S)
        return page, match

    def test_off_no_link_no_route_no_signup(self):
        """Off: no link on the public invoice, the route answers 404, and stock's free sign-up is off too."""
        self.company.portal_allow_signup = False
        page, match = self._signup_form(self.invoice_url)
        self.assertNotIn('Create your portal account', page.text)
        self.assertIsNone(match)
        # Even with the form's valid token (a page kept open from when it was on), the route refuses.
        token = hmac(self.env(su=True), 'generate_access_token', f'{self.invoice.id}|customer_portal_signup')
        csrf = self._csrf_token(self.url_open('/web/login').text)
        with self.mock_mail_gateway():
            response = self.url_open(
                f'/my/invoices/{self.invoice.id}/signup', data={'csrf_token': csrf, 'signup_token': token}
            )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self._new_mails)
        self.assertFalse(self.customer.user_ids)
        self.assertEqual(self.env['ir.config_parameter'].sudo().get_param('auth_signup.invitation_scope'), 'b2b')
        self.assertEqual(self.url_open('/web/signup').status_code, 404)

    def test_on_invitation_to_the_email_on_record_only(self):
        """On: the visitor asks, the invitation goes to the customer's email on record, whatever they post."""
        self.company.portal_allow_signup = True
        self.assertEqual(self.env['ir.config_parameter'].sudo().get_param('auth_signup.invitation_scope'), 'b2c')
        page, match = self._signup_form(self.invoice_url)
        self.assertIn('Create your portal account', page.text)
        self.assertTrue(match)
        data = {
            'csrf_token': self._csrf_token(page.text), 'signup_token': match[2],
            'email': 'attacker@evil.example', 'login': 'attacker@evil.example',
        }  # fmt: skip
        with self.mock_mail_gateway():
            response = self.url_open(match[1], data=data)
            again = self.url_open(match[1], data=data)
        self.assertEqual(response.status_code, 200)
        self.assertIn('o\u2022\u2022\u2022@zeta.example', response.text)
        self.assertNotIn('office@zeta.example', response.text, "the full address is not shown to the visitor")
        self.assertIn('a few minutes ago', again.text, "a second request sends nothing")
        self.assertEqual(len(self._new_mails), 1)
        self.assertIn('office@zeta.example', self._new_mails.email_to)
        self.assertNotIn('evil', ' '.join(self._new_mails.mapped('email_to')))
        user = self.customer.user_ids
        self.assertTrue(user._is_portal())
        self.assertEqual(user.partner_id.commercial_partner_id, self.customer, "access to this customer only")

    def test_settings_govern_stock_signup_scope(self):
        """In Settings, "Allow Customers to Sign Up" sets stock's Customer Account option (global) with it."""
        ICP = self.env['ir.config_parameter'].sudo()
        with Form(self.env['res.config.settings']) as settings:
            settings.portal_allow_signup = True
            self.assertEqual(settings.auth_signup_uninvited, 'b2c')
        self.assertEqual(ICP.get_param('auth_signup.invitation_scope'), 'b2c')
        with Form(self.env['res.config.settings']) as settings:
            settings.portal_allow_signup = False
            self.assertEqual(settings.auth_signup_uninvited, 'b2b')
        self.assertEqual(ICP.get_param('auth_signup.invitation_scope'), 'b2b')
        self.assertFalse(self.company.portal_allow_signup)

    def test_on_wrong_token_refused(self):
        self.company.portal_allow_signup = True
        page, match = self._signup_form(self.invoice_url)
        for token in ('', 'x' * 4000, match[2][:-1] + ('A' if match[2][-1] != 'A' else 'B')):
            with self.subTest(token=token[:10]):
                response = self.url_open(
                    match[1], data={'csrf_token': self._csrf_token(page.text), 'signup_token': token}
                )
                self.assertEqual(response.status_code, 404)
        self.assertFalse(self.customer.user_ids)

    def test_payment_link_page_offers_signup(self):
        """The payment-link page of the invoice offers it too (to a visitor), not when the setting is off."""
        self.company.portal_allow_signup = True
        # The link of stock's "Generate a Payment Link" (its token is made in a request, hence by hand here).
        values = (self.customer.id, 100.0, self.invoice.currency_id.id)
        token = hmac(self.env(su=True), 'generate_access_token', '|'.join(str(v) for v in values))
        link = f'/payment/pay?amount=100.0&access_token={token}&invoice_id={self.invoice.id}'
        page, match = self._signup_form(link)
        self.assertTrue(match, "the payment-link page offers to create a portal account")
        self.company.portal_allow_signup = False
        page, match = self._signup_form(link)
        self.assertIsNone(match)

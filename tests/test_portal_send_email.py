from odoo import fields
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common_contact_business import ContactBusinessCommon


@tagged('post_install', '-at_install')
class TestPortalSendEmail(ContactBusinessCommon, MockEmail):
    """C14: "Send Email" on the home's Contact Us card: one plain-text email to the salesperson (else the
    company's email) answered at the contact's address, logged on the customer; 10 per contact a day; a
    subject of more than one line (header injection) refused."""

    def _logged(self, customer=None):
        subtype = self.env.ref('customer_portal.mt_portal_contact_email')
        return (customer or self.customer).message_ids.filtered(lambda message: message.subtype_id == subtype)

    def _send(self, subject, message, user=None):
        return (
            self.env['mail.mail']
            .with_user(user or self.carla)
            ._portal_send_contact_email((user or self.carla).partner_id, subject, message, company=self.company)
        )

    def test_home_card_and_page(self):
        """The Contact Us card links to Send Email, whose page names the recipient and has the form."""
        self.authenticate('cb_carla', 'cb_carla')
        home = self._home_html()
        self.assertIn('href="/my/send_email"', home)
        self.assertIn('Send Email', home)
        page = self.url_open('/my/send_email').text
        for words in ('Send Email', 'To:', 'Sam Seller', 'Subject', 'Message', '>Send<'):
            self.assertIn(words, page)

    def test_send_to_salesperson_reply_to_contact(self):
        """The email goes to the customer's salesperson, Reply-To the contact, with the subject and the
        message; it is logged on the customer's chatter, for employees only."""
        self.authenticate('cb_carla', 'cb_carla')
        with self.mock_mail_gateway():
            response = self._post('/my/send_email', subject='Invoice question', message='Can you split it?\nThanks')
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers['Location'].endswith('/my/send_email?sent=1'))
        self.assertEqual(len(self._mails), 1)
        email = self._mails[0]
        self.assertEqual(email['email_to'], ['"Sam Seller" <sam@business.example>'])
        self.assertEqual(email['reply_to'], '"Carla Customer" <carla@acme.example>')
        self.assertEqual(email['subject'], 'Invoice question')
        self.assertIn('Can you split it?', email['body'])
        self.assertIn('Carla Customer (Acme Reviews Co) wrote from the customer portal:', email['body'])
        self.assertIn('Carla Customer', email['email_from'])
        self.assertNotIn('carla@acme.example', email['email_from'])
        logged = self._logged()
        self.assertEqual(len(logged), 1)
        self.assertRecordValues(
            logged, [{'author_id': self.contact.id, 'subject': 'Invoice question', 'is_internal': True}]
        )
        self.assertIn('Can you split it?', logged.body)
        self.assertIn('We will answer you at', self.url_open('/my/send_email?sent=1').text)

    def test_send_to_company_without_salesperson(self):
        """Without a salesperson, the company's email receives it."""
        self.customer.user_id = False
        with self.mock_mail_gateway():
            self._send('Hello', 'Who handles our account?')
        self.assertEqual(len(self._mails), 1)
        self.assertEqual(self._mails[0]['email_to'], [self.company.partner_id.email_formatted])
        self.assertEqual(self._mails[0]['reply_to'], '"Carla Customer" <carla@acme.example>')

    def test_header_injection_refused(self):
        """A subject with a line break (or any control character) is refused: clear message, nothing sent,
        nothing logged."""
        self.authenticate('cb_carla', 'cb_carla')
        subjects = ['Hi\r\nBcc: victim@example.com', 'Hi\nBcc: victim@example.com', 'Hi\rX', 'Hi\x00', 'Hi\u2028X']
        with self.mock_mail_gateway():
            for subject in subjects:
                with self.subTest(subject=subject):
                    response = self._post('/my/send_email', subject=subject, message='Hello')
                    self.assertEqual(response.status_code, 400)
                    self.assertIn('The subject must be a single line of text.', response.text)
        self.assertFalse(self._mails)
        self.assertFalse(self._new_mails)
        self.assertFalse(self._logged())

    def test_bad_input_refused(self):
        """Empty or over-long subject or message, control characters in the message, a contact without
        email: a clear message and nothing sent."""
        self.authenticate('cb_carla', 'cb_carla')
        cases = [
            ({'subject': '', 'message': 'Hello'}, 'Write a subject.'),
            ({'subject': 'x' * 201, 'message': 'Hello'}, 'The subject is too long: 200 characters at most.'),
            ({'subject': 'Hi', 'message': ' '}, 'Write a message.'),
            ({'subject': 'Hi', 'message': 'x' * 10001}, 'Your message is too long: 10000 characters at most.'),
            ({'subject': 'Hi', 'message': 'a\x00b'}, 'Your message contains characters that cannot be sent.'),
        ]
        with self.mock_mail_gateway():
            for data, error in cases:
                with self.subTest(data=data):
                    response = self._post('/my/send_email', **data)
                    self.assertEqual(response.status_code, 400)
                    self.assertIn(error, response.text)
            self.contact.email = False
            response = self._post('/my/send_email', subject='Hi', message='Hello')
            self.assertEqual(response.status_code, 400)
            self.assertIn('We need your email address to answer you', response.text)
        self.assertFalse(self._mails)
        self.assertFalse(self._logged())

    def test_html_escaped(self):
        """The message is plain text: markup is escaped in the email and in the chatter, line breaks kept."""
        with self.mock_mail_gateway():
            self._send('<b>Subject</b>', '<script>alert(1)</script>\n<a href="http://evil.example">click</a>')
        body = self._mails[0]['body']
        self.assertNotIn('<script>', body)
        self.assertNotIn('<a href="http://evil.example"', body)
        self.assertIn('&lt;script&gt;alert(1)&lt;/script&gt;', body)
        self.assertIn('&lt;/script&gt;<br/>&lt;a href=', body)
        logged = self._logged()
        self.assertNotIn('<script>', logged.body)
        self.assertIn('&lt;script&gt;', logged.body)
        self.assertEqual(logged.subject, '<b>Subject</b>')  # a subject is text, shown escaped

    def test_ten_emails_a_day(self):
        """The 11th email of a contact within 24 hours is refused with a clear message and not sent; an
        email older than 24 hours does not count; a colleague still writes."""
        with self.mock_mail_gateway():
            self._send('Old', 'From yesterday')
        old = self._logged()
        self.env.cr.execute(
            "UPDATE mail_message SET create_date = %s WHERE id = %s",
            (fields.Datetime.subtract(fields.Datetime.now(), days=1, minutes=1), old.id),
        )
        self.env.invalidate_all()
        with self.mock_mail_gateway():
            for index in range(9):
                self._send(f'Question {index}', 'Hello')
        self.authenticate('cb_carla', 'cb_carla')
        with self.mock_mail_gateway():
            self.assertEqual(self._post('/my/send_email', subject='Tenth', message='Hello').status_code, 303)
            self.assertEqual(len(self._mails), 1)
            response = self._post('/my/send_email', subject='Eleventh', message='Hello')
            self.assertEqual(response.status_code, 400)
            self.assertIn('You can send at most 10 emails in 24 hours. Please try again later.', response.text)
            self.assertEqual(len(self._mails), 1)
        self.assertEqual(len(self._logged()), 11)
        self.assertNotIn('Eleventh', self._logged().mapped('subject'))
        self.authenticate('cb_colin', 'cb_colin')
        with self.mock_mail_gateway():
            self.assertEqual(self._post('/my/send_email', subject='From Colin', message='Hi').status_code, 303)
        self.assertEqual(len(self._mails), 1)

    def test_visitor_and_employee(self):
        """A visitor is sent to sign in; an employee gets 404."""
        response = self.url_open('/my/send_email', allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn('/web/login', response.headers['Location'])
        self.authenticate('cb_seller', 'cb_seller')
        self.assertEqual(self.url_open('/my/send_email').status_code, 404)

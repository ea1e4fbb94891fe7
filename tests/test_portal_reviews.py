from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_contact_business import ContactBusinessCommon


@tagged('post_install', '-at_install')
class TestPortalReviews(ContactBusinessCommon):
    """P11 / A8: "Write a review" on the home (1 to 5 and a message, 5 per contact a day), stored as Odoo
    ratings of the customer, read by the business only (Client Reviews on the customer, with the average)."""

    def setUp(self):
        super().setUp()
        self.company.portal_reviews = True

    def _reviews(self, customer=None):
        return (
            self.env['rating.rating']
            .sudo()
            .search(self.env['rating.rating']._portal_review_domain(customer or self.customer))
        )

    def _write_review(self, rating, message, user=None):
        return (
            self.env['rating.rating']
            .with_user(user or self.carla)
            ._create_portal_review((user or self.carla).partner_id, rating, message, company=self.company)
        )

    def test_off_by_default_404_and_no_link(self):
        """Off (a new company's default), /my/review answers 404 to GET and POST, stores nothing, and the
        home offers no review."""
        self.assertFalse(self.env['res.company'].create({'name': 'Reviews New Co'}).portal_reviews)
        self.company.portal_reviews = False
        self.authenticate('cb_carla', 'cb_carla')
        self.assertEqual(self.url_open('/my/review').status_code, 404)
        csrf = self._csrf_token(self.url_open('/my/send_email').text)
        response = self.url_open(
            '/my/review', data={'rating': '5', 'message': 'Great', 'csrf_token': csrf}, allow_redirects=False
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self._reviews())
        home = self._home_html()
        self.assertNotIn('Write a review', home)
        self.assertNotIn('/my/review', home)
        self.assertIn('Send Email', home)

    def test_write_review(self):
        """The home links to the form; a rating and a message are stored as a rating of the customer
        company by its contact, and the page thanks the customer."""
        self.authenticate('cb_carla', 'cb_carla')
        self.assertIn('href="/my/review"', self._home_html())
        page = self.url_open('/my/review').text
        for words in ('Write a Review', 'Rating', '5 - Excellent', '1 - Very poor', 'Message', 'Submit Review'):
            self.assertIn(words, page)
        response = self._post('/my/review', rating='4', message='Quick delivery, clear invoices.')
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers['Location'].endswith('/my/review?sent=1'))
        self.assertIn('Thank you for your review!', self.url_open('/my/review?sent=1').text)
        review = self._reviews()
        self.assertEqual(len(review), 1)
        self.assertRecordValues(
            review,
            [
                {
                    'res_model': 'res.partner',
                    'res_id': self.customer.id,
                    'partner_id': self.contact.id,
                    'rated_partner_id': self.company.partner_id.id,
                    'rating': 4.0,
                    'feedback': 'Quick delivery, clear invoices.',
                    'consumed': True,
                }
            ],
        )

    def test_bad_input_refused(self):
        """A rating other than 1 to 5, an empty or over-long message, a NUL byte: a clear message, a 400,
        nothing stored."""
        self.authenticate('cb_carla', 'cb_carla')
        cases = [
            ({'rating': '6', 'message': 'Good'}, 'Choose a rating from 1 to 5.'),
            ({'rating': '0', 'message': 'Good'}, 'Choose a rating from 1 to 5.'),
            ({'rating': '\u0663', 'message': 'Good'}, 'Choose a rating from 1 to 5.'),  # Arabic-Indic 3
            ({'rating': '4.5', 'message': 'Good'}, 'Choose a rating from 1 to 5.'),
            ({'message': 'Good'}, 'Choose a rating from 1 to 5.'),
            ({'rating': '4', 'message': '   '}, 'Write a message with your review.'),
            ({'rating': '4', 'message': 'x' * 5001}, 'Your message is too long: 5000 characters at most.'),
            ({'rating': '4', 'message': 'Good\x00'}, 'Your message contains characters that cannot be sent.'),
        ]
        for data, error in cases:
            with self.subTest(data=data):
                response = self._post('/my/review', **data)
                self.assertEqual(response.status_code, 400)
                self.assertIn(error, response.text)
        self.assertFalse(self._reviews())

    def test_five_reviews_a_day(self):
        """The 6th review of a contact within 24 hours is refused with a clear message and not stored; a
        colleague still writes; a review older than 24 hours does not count."""
        old = self._write_review('3', 'Last week')
        self.env.cr.execute(
            "UPDATE rating_rating SET create_date = %s WHERE id = %s",
            (fields.Datetime.subtract(fields.Datetime.now(), days=1, minutes=1), old.id),
        )
        self.env.invalidate_all()
        for index in range(4):
            self._write_review('5', f'Review {index}')
        self.authenticate('cb_carla', 'cb_carla')
        self.assertEqual(self._post('/my/review', rating='5', message='The fifth').status_code, 303)
        response = self._post('/my/review', rating='5', message='The sixth')
        self.assertEqual(response.status_code, 400)
        self.assertIn('You can write at most 5 reviews in 24 hours. Please try again later.', response.text)
        self.assertEqual(len(self._reviews()), 6)
        self.assertNotIn('The sixth', self._reviews().mapped('feedback'))
        self.authenticate('cb_colin', 'cb_colin')
        self.assertEqual(self._post('/my/review', rating='2', message='From Colin').status_code, 303)
        self.assertEqual(len(self._reviews()), 7)

    def test_reviews_never_public(self):
        """Neither the author, nor another customer, nor a visitor reads a review: no access to ratings,
        no review text on their pages; a visitor is sent to sign in."""
        self._write_review('1', 'Secret opinion about Acme')
        for user in (self.carla, self.oscar):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env['rating.rating'].with_user(user).search([])
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.customer.with_user(user).read(['portal_review_count'])
        self.authenticate('cb_oscar', 'cb_oscar')
        for url in ('/my', '/my/review', '/my/review?sent=1'):
            self.assertNotIn('Secret opinion', self.url_open(url).text, url)
        self.authenticate(None, None)
        response = self.url_open('/my/review', allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn('/web/login', response.headers['Location'])

    def test_employee_404(self):
        """An employee has no business to review: 404."""
        self.authenticate('cb_seller', 'cb_seller')
        self.assertEqual(self.url_open('/my/review').status_code, 404)

    def test_client_reviews_on_the_customer(self):
        """The customer (and each of its contacts) counts its reviews and their average; the smart button
        lists exactly them; another customer has none."""
        self._write_review('5', 'Excellent')
        self._write_review('2', 'Late once', user=self.colin)
        self._write_review('4', 'Fine', user=self.oscar)
        seller_env = self.env(user=self.seller)
        for partner in (self.customer, self.contact):
            partner = partner.with_env(seller_env)
            self.assertEqual(partner.portal_review_count, 2)
            self.assertAlmostEqual(partner.portal_review_avg, 3.5)
        self.assertEqual(self.other_customer.portal_review_count, 1)
        self.assertEqual(self.env['res.partner'].create({'name': 'Nobody'}).portal_review_count, 0)
        action = self.customer.with_env(seller_env).action_view_portal_reviews()
        listed = seller_env['rating.rating'].search(action['domain'])
        self.assertEqual(sorted(listed.mapped('feedback')), ['Excellent', 'Late once'])
        self.assertEqual(set(listed.partner_id.mapped('name')), {'Carla Customer', 'Colin Colleague'})
        self.assertEqual(
            action['views'][0][0], self.env.ref('customer_portal.view_rating_rating_list_client_reviews').id
        )

    def test_business_notified(self):
        """With P6 on, the salesperson is notified of the review (rating and message), by its own subtype."""
        self.company.portal_activity_notify = True
        self._write_review('5', 'Always on time')
        message = self.customer.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref('customer_portal.mt_portal_review')
        )
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.contact)
        self.assertIn(self.seller.partner_id, message.partner_ids)
        self.assertIn('Carla Customer wrote a review: 5 out of 5.', message.body)
        self.assertIn('Always on time', message.body)

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged

from .common import ConcurrentRequestsCase


@tagged('post_install', '-at_install')
class TestPortalContactBusinessConcurrency(ConcurrentRequestsCase):
    """Two requests of one contact at the same moment, on real cursors in threads: the daily limits of
    reviews (P11) and emails (C14) hold. The second waits for the first, then fails with a serialization
    error (which Odoo's request handling retries); the retry counts what the first stored and is refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.company
            cls.company_id, cls.reviews_were_on = company.id, company.portal_reviews
            company.portal_reviews = True
            customer = env['res.partner'].create(
                {'name': 'Concurrent Reviewer Co', 'is_company': True, 'user_id': env.ref('base.user_admin').id}
            )
            contact = env['res.partner'].create(
                {'name': 'Rita Racer', 'parent_id': customer.id, 'email': 'rita@racer.example'}
            )
            cls.customer_id, cls.contact_id = customer.id, contact.id
            # The last review and the last email of the day are left to the race.
            for index in range(4):
                env['rating.rating']._create_portal_review(contact, '4', f'Review {index}', company=company)
            for index in range(9):
                env['mail.mail']._portal_send_contact_email(contact, f'Email {index}', 'Hello', company=company)
        cls.addClassCleanup(cls._cleanup_data)

    @classmethod
    def _cleanup_data(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env['rating.rating'].search([('partner_id', '=', cls.contact_id)]).unlink()
            env['mail.mail'].search([('author_id', '=', cls.contact_id)]).unlink()
            env['mail.message'].search(
                [
                    '|',
                    ('author_id', '=', cls.contact_id),
                    '&',
                    ('model', '=', 'res.partner'),
                    ('res_id', '=', cls.customer_id),
                ]
            ).unlink()
            env['res.company'].browse(cls.company_id).portal_reviews = cls.reviews_were_on
            env['res.partner'].browse([cls.contact_id, cls.customer_id]).unlink()

    def test_fifth_review_race(self):
        """Two 5th reviews at once: one stored, the other retried and then refused; 5 reviews in all."""

        def review(env):
            env['rating.rating']._create_portal_review(
                env['res.partner'].browse(self.contact_id),
                '5',
                'Racing',
                company=env['res.company'].browse(self.company_id),
            )

        self.assertEqual(self._race(review), ['retried', 'stored'])
        self.assertEqual(self._attempt(review), 'refused')
        self.assertEqual(self._count('rating.rating', [('partner_id', '=', self.contact_id)]), 5)

    def test_tenth_email_race(self):
        """Two 10th emails at once: one sent, the other retried and then refused; 10 emails in all."""

        def send(env):
            env['mail.mail']._portal_send_contact_email(
                env['res.partner'].browse(self.contact_id),
                'Racing',
                'Hello',
                company=env['res.company'].browse(self.company_id),
            )

        self.assertEqual(self._race(send), ['retried', 'stored'])
        self.assertEqual(self._attempt(send), 'refused')
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            subtype = env.ref('customer_portal.mt_portal_contact_email')
            self.assertEqual(
                env['mail.message'].search_count(
                    [('author_id', '=', self.contact_id), ('subtype_id', '=', subtype.id)]
                ),
                10,
            )

import re
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

# P11: a review is a rating of 1 to 5 with a message, at most this many per contact in 24 hours.
PORTAL_REVIEW_DAILY_LIMIT = 5
PORTAL_REVIEW_MAX_LENGTH = 5000
PORTAL_REVIEW_RATING_RE = re.compile(r'[1-5]')  # ASCII digits only: int() reads other scripts' digits too
CONTROL_CHARACTERS_RE = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')


class RatingRating(models.Model):
    _inherit = 'rating.rating'

    # ------------------------------------------------------------
    # P11 / A8: customer reviews, stored as Odoo ratings of the customer (res.partner)
    # ------------------------------------------------------------

    @api.model
    def _portal_review_domain(self, customers):
        """The reviews of the customer companies ``customers``: their ratings given from the portal."""
        return [('res_model', '=', 'res.partner'), ('res_id', 'in', customers.ids), ('consumed', '=', True)]

    @api.model
    def _portal_reviews_today(self, contact):
        """How many reviews ``contact`` wrote in the last 24 hours (from the stored ratings)."""
        since = fields.Datetime.now() - timedelta(days=1)
        return (
            self.sudo()
            .with_context(active_test=False)
            .search_count(
                [('res_model', '=', 'res.partner'), ('partner_id', '=', contact.id), ('create_date', '>=', since)]
            )
        )

    @api.model
    def _create_portal_review(self, contact, rating, message, company=None):
        """``contact`` (a portal user's partner) reviews the business of ``company``: ``rating`` (1 to 5,
        as a form sends it) and ``message``. The review is a rating of the contact's customer company,
        readable by employees only (portal and public users have no access to ratings). The business is
        notified (P6). Refused with a UserError, storing nothing, when the company does not take reviews,
        the input is not a rating and a message, or the contact wrote 5 reviews in the last 24 hours.

        :return: the rating.rating (sudo)
        """
        company = company or self.env.company
        if not company.sudo().portal_reviews:
            raise UserError(self.env._("Reviews are not enabled."))
        rating = rating.strip() if isinstance(rating, str) else str(rating) if isinstance(rating, int) else ''
        if not PORTAL_REVIEW_RATING_RE.fullmatch(rating):
            raise UserError(self.env._("Choose a rating from 1 to 5."))
        message = message.strip() if isinstance(message, str) else ''
        if not message:
            raise UserError(self.env._("Write a message with your review."))
        if len(message) > PORTAL_REVIEW_MAX_LENGTH:
            raise UserError(
                self.env._("Your message is too long: %(max)s characters at most.", max=PORTAL_REVIEW_MAX_LENGTH)
            )
        if CONTROL_CHARACTERS_RE.search(message):
            raise UserError(self.env._("Your message contains characters that cannot be sent."))
        contact._lock_portal_rate_limit()
        if self._portal_reviews_today(contact) >= PORTAL_REVIEW_DAILY_LIMIT:
            raise UserError(
                self.env._(
                    "You can write at most %(limit)s reviews in 24 hours. Please try again later.",
                    limit=PORTAL_REVIEW_DAILY_LIMIT,
                )
            )
        customer = contact.sudo().commercial_partner_id
        # sudo: portal users may not create ratings (stock's access rights), which keeps them from reading any.
        review = self.sudo().create(
            {
                'res_model_id': self.env['ir.model']._get_id('res.partner'),
                'res_id': customer.id,
                'partner_id': contact.id,
                'rated_partner_id': company.sudo().partner_id.id,
                'rating': float(rating),
                'feedback': message,
                'consumed': True,
            }
        )
        customer._notify_portal_activity(
            'customer_portal.mt_portal_review',
            lambda record: record.env._(
                "%(name)s wrote a review: %(rating)s out of 5. “%(message)s”",
                name=contact.sudo().name,
                rating=rating,
                message=message,
            ),
            author=contact,
        )
        return review

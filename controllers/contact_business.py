from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.customer_portal.models.mail_mail import PORTAL_CONTACT_EMAIL_BODY_MAX, PORTAL_CONTACT_EMAIL_SUBJECT_MAX
from odoo.addons.customer_portal.models.rating_rating import PORTAL_REVIEW_MAX_LENGTH

from . import home


class PortalAccount(home.PortalAccount):
    """The customer writes to the business from the home's Contact Us card: Send Email (C14) and Write a
    review (P11). The rules (limits, checks, who receives what) are models/mail_mail.py and
    models/rating_rating.py."""

    def _get_portal_home_account_values(self):
        # EXTENDS customer_portal (controllers/home.py): the Contact Us card offers a review when the company
        # takes them.
        values = super()._get_portal_home_account_values()
        values['portal_reviews_enabled'] = self._portal_reviews_enabled()
        return values

    def _portal_reviews_enabled(self):
        # sudo: portal users cannot read their company's settings.
        return bool(request.env.user.company_id.sudo().portal_reviews)

    def _check_portal_customer_user(self):
        """Customers only (portal users): an employee has no business to write to."""
        if not request.env.user._is_portal():
            raise request.not_found()

    def _render_contact_business_page(self, template, page_name, values, error=None):
        values = {**self._prepare_portal_layout_values(), **values, 'page_name': page_name, 'error': error}
        return request.render(template, values, status=400 if error else 200)

    @http.route('/my/send_email', type='http', auth='user', methods=['GET', 'POST'], website=True, sitemap=False)
    def portal_send_email(self, subject=None, message=None, sent=None, **kw):
        """C14: write to the business (the salesperson, else the company's email)."""
        self._check_portal_customer_user()
        user = request.env.user
        Mail = request.env['mail.mail']
        recipient = Mail._portal_contact_email_recipient(user.partner_id, user.company_id)
        values = {
            'recipient_name': recipient.name,
            'contact_email': user.partner_id.email,
            'sent': sent == '1',
            'subject': subject if isinstance(subject, str) else '',
            'message': message if isinstance(message, str) else '',
            'subject_max': PORTAL_CONTACT_EMAIL_SUBJECT_MAX,
            'message_max': PORTAL_CONTACT_EMAIL_BODY_MAX,
        }
        if request.httprequest.method == 'POST':
            try:
                Mail._portal_send_contact_email(user.partner_id, subject, message, company=user.company_id)
            except UserError as error:
                return self._render_contact_business_page(
                    'customer_portal.portal_send_email', 'send_email', values, error.args[0]
                )
            return request.redirect('/my/send_email?sent=1')
        return self._render_contact_business_page('customer_portal.portal_send_email', 'send_email', values)

    @http.route('/my/review', type='http', auth='user', methods=['GET', 'POST'], website=True, sitemap=False)
    def portal_review(self, rating=None, message=None, sent=None, **kw):
        """P11: rate the business from 1 to 5 with a message; 404 while the company takes no reviews."""
        self._check_portal_customer_user()
        if not self._portal_reviews_enabled():
            raise request.not_found()
        user = request.env.user
        values = {
            'sent': sent == '1',
            'rating': rating if isinstance(rating, str) else '',
            'message': message if isinstance(message, str) else '',
            'message_max': PORTAL_REVIEW_MAX_LENGTH,
        }
        if request.httprequest.method == 'POST':
            try:
                request.env['rating.rating']._create_portal_review(
                    user.partner_id, rating, message, company=user.company_id
                )
            except UserError as error:
                return self._render_contact_business_page(
                    'customer_portal.portal_review', 'review', values, error.args[0]
                )
            return request.redirect('/my/review?sent=1')
        return self._render_contact_business_page('customer_portal.portal_review', 'review', values)

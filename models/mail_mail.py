import re

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.mail import email_normalize, formataddr

# C14 "Send Email": at most this many emails to the business per contact in 24 hours.
PORTAL_CONTACT_EMAIL_DAILY_LIMIT = 10
PORTAL_CONTACT_EMAIL_SUBJECT_MAX = 200
PORTAL_CONTACT_EMAIL_BODY_MAX = 10000
# A header is one line: any control character in the subject (CR and LF first) is refused.
SUBJECT_FORBIDDEN_RE = re.compile('[\x00-\x1f\x7f\u2028\u2029\x85]')
# The message is plain text over several lines: control characters other than tab and line breaks refused.
BODY_FORBIDDEN_RE = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')


class MailMail(models.Model):
    _inherit = 'mail.mail'

    # ------------------------------------------------------------
    # C14 "Send Email": a customer contact writes to the business from the portal
    # ------------------------------------------------------------

    @api.model
    def _portal_contact_emails_today(self, contact):
        """How many emails ``contact`` sent to the business in the last 24 hours: the messages logged on
        their customer (their subtype), which outlive the sent emails."""
        subtype = self.env.ref('customer_portal.mt_portal_contact_email')
        since = fields.Datetime.subtract(fields.Datetime.now(), days=1)
        return (
            self.env['mail.message']
            .sudo()
            .search_count(
                [('author_id', '=', contact.id), ('subtype_id', '=', subtype.id), ('create_date', '>=', since)]
            )
        )

    @api.model
    def _portal_contact_email_recipient(self, contact, company=None):
        """Who receives the emails of ``contact`` (res.partner): the salesperson of their customer company
        when set and reachable, else ``company``; an empty recordset when neither has an email."""
        company = (company or self.env.company).sudo()
        customer = contact.sudo().commercial_partner_id
        salesperson = customer.user_id.filtered(lambda user: user.active and not user.share)
        if salesperson.partner_id.email:
            return salesperson.partner_id
        return company.partner_id.filtered('email')

    @api.model
    def _portal_send_contact_email(self, contact, subject, message, company=None):
        """``contact`` (a portal user's partner) writes ``subject`` and ``message`` (plain text) to the business
        of ``company``: one email to the salesperson of their customer (else to the company's email) whose
        Reply-To is the contact, logged on the customer's chatter (employees only). Refused with a UserError,
        nothing sent nor stored, on an empty or over-long subject or message, a subject of more than one line
        (header injection) or control characters, a contact without email, nobody to write to, or the 11th
        email of the contact in 24 hours.

        :return: the mail.mail sent (sudo)
        """
        env = self.env
        company = (company or env.company).sudo()
        subject = subject.strip() if isinstance(subject, str) else ''
        message = message.strip() if isinstance(message, str) else ''
        if not subject:
            raise UserError(env._("Write a subject."))
        if SUBJECT_FORBIDDEN_RE.search(subject):
            raise UserError(env._("The subject must be a single line of text."))
        if len(subject) > PORTAL_CONTACT_EMAIL_SUBJECT_MAX:
            raise UserError(
                env._("The subject is too long: %(max)s characters at most.", max=PORTAL_CONTACT_EMAIL_SUBJECT_MAX)
            )
        if not message:
            raise UserError(env._("Write a message."))
        if BODY_FORBIDDEN_RE.search(message):
            raise UserError(env._("Your message contains characters that cannot be sent."))
        if len(message) > PORTAL_CONTACT_EMAIL_BODY_MAX:
            raise UserError(
                env._("Your message is too long: %(max)s characters at most.", max=PORTAL_CONTACT_EMAIL_BODY_MAX)
            )
        contact_sudo = contact.sudo()
        reply_address = email_normalize(contact_sudo.email)
        if not reply_address:
            raise UserError(env._("We need your email address to answer you: add it to your account details first."))
        recipient = self._portal_contact_email_recipient(contact, company)
        if not recipient:
            raise UserError(env._("We cannot receive emails from the portal at the moment: please call us."))
        contact._lock_portal_rate_limit()
        if self._portal_contact_emails_today(contact) >= PORTAL_CONTACT_EMAIL_DAILY_LIMIT:
            raise UserError(
                env._(
                    "You can send at most %(limit)s emails in 24 hours. Please try again later.",
                    limit=PORTAL_CONTACT_EMAIL_DAILY_LIMIT,
                )
            )
        customer = contact_sudo.commercial_partner_id
        name = ' '.join((contact_sudo.name or '').split())  # one line: it goes into headers
        # From the company's sending address (never the customer's: their domain's mail policy would have
        # it refused), under the contact's name; answers go to the contact.
        from_address = company.default_from_email or company.email or recipient.email
        # Plain text: escaped line by line (no markup of the customer's reaches anyone, no link made of it).
        body = Markup('<p>%s</p>') % Markup('<br/>').join(message.splitlines())
        intro = Markup('<p>%s</p>') % env._(
            "%(name)s (%(customer)s) wrote from the customer portal:", name=name, customer=customer.name
        )
        mail = self.sudo().create(
            {
                'subject': subject,
                'body': body,
                'body_html': intro + body,
                'email_from': formataddr((name, from_address)),
                'email_to': recipient.email_formatted,
                'reply_to': formataddr((name, reply_address)),
                'author_id': contact_sudo.id,
                'model': 'res.partner',
                'res_id': customer.id,
                'record_name': customer.display_name,
                'message_type': 'comment',
                'subtype_id': env.ref('customer_portal.mt_portal_contact_email').id,
                'is_internal': True,
                'is_notification': True,  # the logged message stays once the email is sent and deleted
                'auto_delete': True,
            }
        )
        mail.send(raise_exception=False)
        return mail

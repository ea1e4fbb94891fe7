import re
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import consteq, email_normalize, email_split, formataddr

from ..tools.document_rows import count_document_rows, document_rows_action

# A name or message may hold no control character but the message's line breaks and tabs.
CONTROL_CHARS_RE = re.compile(r'[\x00-\x08\x0b-\x1f\x7f]')
LINE_BREAKS_RE = re.compile(r'[\r\n\u2028\u2029\x85]')
# One plain address: a local part, an @, a domain with a dot; no spaces, quotes, brackets nor separators.
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)
RECIPIENT_NAME_MAX = 128
EMAIL_MAX = 254
FORWARD_MESSAGE_MAX = 2000
# The report printed for each kind of document (stock's, as the portal's Download button).
FORWARD_REPORTS = {'account.move': 'account.account_invoices', 'sale.order': 'sale.action_report_saleorder'}


class CustomerPortalDocumentShareMixin(models.AbstractModel):
    """A document sent to recipients with links of their own (issue 11): invoices, quotations and
    orders. Forwarding by the customer (P9, C15), the links of Send and Share, and the "Shared with"
    list of the back office."""

    _name = 'customer_portal.document.share.mixin'
    _description = "Document Shared with Links per Recipient"

    portal_share_link_count = fields.Integer(
        string="Shared With", compute='_compute_portal_share_link_count', groups='base.group_user'
    )

    def _compute_portal_share_link_count(self):
        counts = count_document_rows(self.env['customer_portal.share.link'], self)
        for record in self:
            record.portal_share_link_count = counts.get(record.id, 0)

    def action_view_portal_share_links(self):
        """The recipients' links of this document: who, created, expires, last opened, Revoke."""
        self.ensure_one()
        return document_rows_action(
            self.env['customer_portal.share.link'], self, self.env._("Shared With"), 'list,form'
        )

    # ------------------------------------------------------------
    # Links of Send and Share
    # ------------------------------------------------------------

    def _portal_share_links_apply(self):
        """Whether the recipients of this document get links of their own (customer documents only)."""
        self.ensure_one()
        return True

    def _portal_stock_token_refused(self, token, session):
        """Whether ``token``, when it is this document's own token, is refused: the document's company accepts
        only per-recipient links, the current user does not read the document by their own rights, and the
        browser of ``session`` did not open it by a recipient's link. Any other token: False. Call it as the
        current user (sudo or not)."""
        self.ensure_one()
        document_sudo = self.sudo()
        if not (isinstance(token, str) and document_sudo.access_token and consteq(document_sudo.access_token, token)):
            return False
        if not document_sudo.company_id.portal_share_links_only:
            return False
        if self.with_env(self.env(su=False)).has_access('read'):
            return False
        return not self.env['customer_portal.share.link']._get_by_session(self._name, self.id, session)

    def _portal_get_recipient_link_url(self, partner, origin='send'):
        """The URL of ``partner``'s own link to this document: made once per sending (the context's
        ``customer_portal_share_urls`` cache), so that the wizard's text and the email's button agree."""
        self.ensure_one()
        cache = self.env.context.get('customer_portal_share_urls')
        key = (self._name, self.id, partner.id)
        if cache is not None and key in cache:
            return cache[key]
        __, url = self.env['customer_portal.share.link']._create_for_document(
            self, partner.email_normalized or partner.email, partner=partner, origin=origin
        )
        if cache is not None:
            cache[key] = url
        return url

    def _portal_share_link_groups(self, message, msg_vals=None):
        """Notification groups giving each external recipient of a message (the customer and the
        addresses added on Send) a button with their own link, placed before stock's groups. Only for
        messages emailed to explicit recipients (not log notes nor followers' notifications)."""
        if len(self) != 1 or not self._portal_share_links_apply():
            return []
        vals = msg_vals or {}
        subtype_id = vals['subtype_id'] if 'subtype_id' in vals else message.subtype_id.id
        subtype = self.env['mail.message.subtype'].sudo().browse(subtype_id)
        if subtype.internal and not self.env.context.get('customer_portal_share_urls'):
            return []
        partner_ids = vals['partner_ids'] if 'partner_ids' in vals else message.partner_ids.ids
        partners = (
            self.env['res.partner']
            .sudo()
            .browse(partner_ids)
            .filtered(lambda partner: partner.email and not any(not user.share for user in partner.user_ids))
        )
        origin = 'share' if self.env.context.get('customer_portal_share_urls') is not None else 'send'
        groups = []
        for partner in partners:
            url = self._portal_get_recipient_link_url(partner, origin=origin)
            groups.append(
                (
                    f'customer_portal_recipient_{partner.id}',
                    lambda pdata, pid=partner.id: pdata['id'] == pid,
                    {'active': True, 'has_button_access': True, 'button_access': {'url': url}},
                )
            )
        return groups

    # ------------------------------------------------------------
    # Forwarding by the customer (P9, C15)
    # ------------------------------------------------------------

    def _portal_forward_allowed(self, user):
        """Whether ``user`` may forward this document: the company allows it, and the user is a portal
        user of the document's customer."""
        self.ensure_one()
        if not self.company_id.sudo().portal_allow_forward or not user.share or user._is_public():
            return False
        return user.partner_id.commercial_partner_id == self.partner_id.commercial_partner_id

    @api.model
    def _portal_forward_clean_recipients(self, rows, company):
        """The recipients of a forward form, as ``[(name, email)]``: rows with neither a name nor an
        address are skipped, an address given twice counts once. Raises UserError on a bad row."""
        env = self.env
        recipients, seen = [], set()
        for name, email in rows:
            name = name if isinstance(name, str) else ''
            email = email if isinstance(email, str) else ''
            if LINE_BREAKS_RE.search(name) or LINE_BREAKS_RE.search(email):
                raise UserError(env._("A name or an email address cannot hold a line break."))
            if CONTROL_CHARS_RE.search(name) or CONTROL_CHARS_RE.search(email):
                raise UserError(env._("A name or an email address holds characters that are not allowed."))
            name, email = name.strip(), email.strip()
            if not name and not email:
                continue
            if not email:
                raise UserError(env._("Enter the email address of %s.", name))
            if len(name) > RECIPIENT_NAME_MAX:
                raise UserError(env._("A name can have at most %s characters.", RECIPIENT_NAME_MAX))
            if len(email_split(email)) > 1 or any(sep in email for sep in ',;<>'):
                raise UserError(env._("Enter one email address per line: %s holds several.", email))
            normalized = email_normalize(email, strict=True)
            if len(email) > EMAIL_MAX or not EMAIL_RE.match(email) or not normalized:
                raise UserError(env._("%s is not a valid email address.", email))
            if normalized in seen:
                continue
            seen.add(normalized)
            recipients.append((name, normalized))
        if not recipients:
            raise UserError(env._("Enter the name and email address of at least one recipient."))
        limit = company.portal_forward_max_recipients
        if len(recipients) > limit:
            raise UserError(
                env._(
                    "You can forward a document to at most %(count)s people at once.",
                    count=limit,
                )
                if limit != 1
                else env._("You can forward a document to one person at once.")
            )
        return recipients

    @api.model
    def _portal_forward_clean_message(self, message):
        message = message if isinstance(message, str) else ''
        message = CONTROL_CHARS_RE.sub('', message.replace('\r\n', '\n')).strip()
        if len(message) > FORWARD_MESSAGE_MAX:
            raise UserError(self.env._("The message can have at most %s characters.", FORWARD_MESSAGE_MAX))
        return message

    def _portal_forward_check_daily_limit(self, user, count):
        """Refuse a forward that takes ``user`` over the company's recipients per day (24 hours), counted
        from the links of their earlier forwards. Two forwards of ``user`` at the same moment: the second is
        retried once the first is stored, and counts it (res.partner._lock_portal_rate_limit)."""
        company = self.company_id.sudo()
        user.partner_id.sudo()._lock_portal_rate_limit()
        sent = (
            self.env['customer_portal.share.link']
            .sudo()
            .search_count(
                [
                    ('origin', '=', 'forward'),
                    ('sender_user_id', '=', user.id),
                    ('create_date', '>', fields.Datetime.now() - timedelta(days=1)),
                ]
            )
        )
        limit = company.portal_forward_daily_limit
        if sent + count <= limit:
            return
        left = max(limit - sent, 0)
        env = self.env
        if not left:
            raise UserError(
                env._(
                    "You have reached today's limit of %(limit)s people to forward documents to. Try again tomorrow.",
                    limit=limit,
                )
            )
        if left == 1:
            raise UserError(
                env._(
                    "You can forward documents to %(limit)s people a day: you can send this one to one more person "
                    "today.",
                    limit=limit,
                )
            )
        raise UserError(
            env._(
                "You can forward documents to %(limit)s people a day: you can send this one to %(left)s more "
                "people today.",
                limit=limit,
                left=left,
            )
        )

    def _portal_forward_recipient_partner(self, name, email):
        """The contact person of the document's customer with ``email``: an existing one, or a new one.
        None when the address is someone else's (another customer, a user of ours): then it is not made
        a contact of this customer, and nothing is read from or said about that other partner."""
        customer = self.partner_id.commercial_partner_id
        Partner = self.env['res.partner'].sudo()
        partners = Partner.search([('email_normalized', '=', email)], order='id')
        own = partners.filtered(lambda partner: partner.commercial_partner_id == customer)
        if own:
            return own.filtered(lambda partner: not partner.is_company)[:1] or own[:1]
        if partners:
            return None
        return Partner.create(
            {
                'name': name or email,
                'email': email,
                'parent_id': customer.id,
                'type': 'contact',
                'company_id': customer.company_id.id,
                'lang': customer.lang,
            }
        )

    def _portal_forward_pdf(self):
        """The document's PDF: (file name, bytes)."""
        self.ensure_one()
        report = FORWARD_REPORTS[self._name]
        content, __ = self.env['ir.actions.report'].sudo()._render_qweb_pdf(report, self.ids)
        return f"{self._get_report_base_filename()}.pdf", content

    def _portal_forward_mail_texts(self, user, recipient_name):
        """The sentences of a forward's email, whole for translators, in this record's language."""
        self.ensure_one()
        env = self.env
        company = self.company_id.sudo()
        days = company.portal_share_link_days
        return {
            'greeting': env._("Hello %s,", recipient_name) if recipient_name else env._("Hello,"),
            'intro': env._(
                "%(sender)s forwarded you %(document)s from %(company)s. You will find it attached, and online "
                "at the link below.",
                sender=user.partner_id.name,
                document=self.display_name,
                company=company.name,
            ),
            'button': env._("View %s", self.display_name),
            'validity': env._("This link is yours: do not share it. It stays valid for one day.")
            if days == 1
            else env._("This link is yours: do not share it. It stays valid for %s days.", days),
        }

    def _portal_forward(self, user, rows, message):
        """Forward this document (sudo) for the portal ``user`` to the recipients ``rows`` (pairs of name
        and email), with the plain-text ``message`` (P9, C15). Each recipient gets an email from the
        business with the PDF and a link of their own, and becomes a contact person of the customer
        (when the address is not someone else's). Logged on the chatter as an internal note.

        Raises UserError, changing nothing, on a bad recipient, message or limit.

        :return: the recipients' addresses, as typed (normalized)
        """
        self.ensure_one()
        company = self.company_id.sudo()
        recipients = self._portal_forward_clean_recipients(rows, company)
        message = self._portal_forward_clean_message(message)
        self._portal_forward_check_daily_limit(user, len(recipients))
        pdf_name, pdf = self._portal_forward_pdf()
        customer = self.partner_id.commercial_partner_id
        email_from = company.email_formatted or company.partner_id.email_formatted or user.partner_id.email_formatted
        mail_values = []
        for name, email in recipients:
            partner = self._portal_forward_recipient_partner(name, email)
            __, url = self.env['customer_portal.share.link']._create_for_document(
                self, email, partner=partner, name=name or email, origin='forward', sender=user
            )
            lang = (partner and partner.lang) or customer.lang or self.env.lang
            document = self.with_context(lang=lang)
            body = (
                self.env['ir.qweb']
                .with_context(lang=lang)
                ._render(
                    'customer_portal.mail_document_forward',
                    {
                        'company': company,
                        'message': message,
                        'url': url,
                        'texts': document._portal_forward_mail_texts(user, name),
                    },
                )
            )
            mail_values.append(
                {
                    'subject': document.env._(
                        "%(sender)s forwarded %(document)s from %(company)s",
                        sender=user.partner_id.name,
                        document=document.display_name,
                        company=company.name,
                    ),
                    'email_from': email_from,
                    'email_to': formataddr((name, email)) if name else email,
                    'body_html': body,
                    'auto_delete': True,
                    'model': self._name,
                    'res_id': self.id,
                    'attachment_ids': [(0, 0, {'name': pdf_name, 'raw': pdf, 'mimetype': 'application/pdf'})],
                }
            )
        mails = self.env['mail.mail'].sudo().create(mail_values)
        for mail in mails:
            mail.attachment_ids.write({'res_model': 'mail.mail', 'res_id': mail.id})
        listed = Markup(', ').join(
            Markup('%s &lt;%s&gt;') % (name, email) if name else email for name, email in recipients
        )
        self.sudo().message_post(
            body=Markup(self.env._("%(user)s forwarded this document to %(recipients)s."))
            % {
                'user': user.partner_id.name,
                'recipients': listed,
            },
            message_type='comment',
            subtype_xmlid='mail.mt_note',
            author_id=user.partner_id.id,
        )
        return [email for __, email in recipients]

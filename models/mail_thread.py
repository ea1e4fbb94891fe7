from textwrap import shorten

from odoo import SUPERUSER_ID, models
from odoo.http import request
from odoo.tools import html2plaintext


class MailThread(models.AbstractModel):
    _inherit = 'mail.thread'

    # ------------------------------------------------------------
    # P6 "Notify me about portal activity": the one way to tell the business what a customer did
    # ------------------------------------------------------------

    def _notify_portal_activity(self, subtype_xmlid, body, author=None, exclude_partners=None):
        """Tell the business about a customer's action on each record of ``self`` (P6).

        For each record whose company (its ``company_id``, else the current company) has
        ``portal_activity_notify``, post a notification message of the internal subtype
        ``subtype_xmlid`` addressed to the record's salesperson, or without one to the users the
        company names in Settings. Odoo's own notification then applies each user's preference
        (email or inbox). The acting user is never notified of their own action. The subtypes are
        not default ones: other internal followers get them only where they ticked them (follow).

        :param str subtype_xmlid: an internal ``mail.message.subtype`` (one per kind of activity);
        :param body: the message (str or Markup), or a callable ``body(record)`` that builds it in
            the language of the record's recipients (``record.env.lang``);
        :param author: the customer partner who acted; default: the current user's partner, or
            for a token visitor (public user) the record's partner;
        :param exclude_partners: partners already told (e.g. the followers a comment reached);
        :return: the ``mail.message`` records posted, as superuser (empty when nobody is notified).
        """
        # sudo: the customer who acts (portal user, token visitor) cannot read the document's company,
        # salesperson or followers, nor post on it; the acting user stays self.env.user.
        messages = self.env['mail.message'].sudo()
        # The company's switch first: off (the default), this costs one read of it and nothing else.
        records = self.sudo().filtered(lambda record: record._get_portal_activity_company().portal_activity_notify)
        subtype = records and self.env.ref(subtype_xmlid, raise_if_not_found=False)
        if not subtype:
            return messages
        actor = self._get_portal_activity_actor()
        for record in records:
            company = record._get_portal_activity_company()
            recipients = record._get_portal_activity_recipients(company).filtered(
                lambda user, actor=actor: user != actor and user.partner_id not in (exclude_partners or ())
            )
            if not recipients:
                continue
            record_sudo = record.with_context(lang=recipients[0].partner_id.lang or company.partner_id.lang)
            message_author = author or record._get_portal_activity_author()
            messages |= record_sudo.message_post(
                author_id=message_author.id,
                body=body(record_sudo) if callable(body) else body,
                message_type='notification',
                subtype_id=subtype.id,
                partner_ids=recipients.partner_id.ids,
            )
        return messages

    def _get_thread_with_access(self, thread_id, mode='read', **kwargs):
        # EXTENDS portal: the thread the chatter's routes hand to a customer (portal user, or visitor of
        # a shared link) is flagged, so that message_post tells a customer's comment from the portal
        # apart (P6). A model hook rather than an override of /mail/message/post: mail_bot overrides that
        # route too, with required arguments, and answers a malformed request before any override of ours.
        thread = super()._get_thread_with_access(thread_id, mode=mode, **kwargs)
        token = kwargs.get('token')
        if (
            not thread
            and isinstance(token, str)
            and token
            and isinstance(thread_id, int)
            and isinstance(self, self.pool['customer_portal.document.share.mixin'])
        ):
            # Issue 11: the chatter of a document opened by a recipient's own link takes that link's token
            # as stock's takes the document's.
            if self.env['customer_portal.share.link']._get_by_token(self._name, thread_id, token):
                thread = self.browse(thread_id).sudo()
        if (
            thread
            and request
            and isinstance(thread, self.pool['customer_portal.document.share.mixin'])
            and thread._portal_stock_token_refused(token, request.session)
        ):
            # Issue 11: "Only Per-Recipient Links" refuses the document's own token on its chatter too.
            return self.browse()
        if thread and request and self.env['customer_portal.identity.code']._is_locked(thread, request.session):
            # P14: a document's chatter (its messages and their files) is content, read after the code.
            return self.browse()
        if thread and (self.env.user._is_public() or self.env.user.share):
            thread = thread.with_context(portal_customer_comment=True)
        return thread

    def message_post(self, **kwargs):
        # EXTENDS mail: a customer's comment from the portal chatter (its thread flagged by
        # _get_thread_with_access) notifies the business (P6), but not those whom the comment reached.
        message = super().message_post(**kwargs)
        user = self.env.user
        if (
            self.env.context.get('portal_customer_comment')
            # invoices, quotations, orders; the bridges tell their own
            and isinstance(self, self.pool['customer_portal.document.view.mixin'])
            and (user._is_public() or user.share)
            and message.sudo().message_type == 'comment'
            and not message.sudo().subtype_id.internal
        ):
            message_sudo = message.sudo()
            excerpt = shorten(html2plaintext(message_sudo.body or ''), 200)
            self.with_context(portal_customer_comment=False)._notify_portal_activity(
                'customer_portal.mt_portal_comment',
                lambda record: record.env._(
                    "%(name)s commented on %(document)s: %(comment)s",
                    name=message_sudo.author_id.name,
                    document=record.display_name,
                    comment=excerpt,
                ),
                author=message_sudo.author_id,
                exclude_partners=message_sudo.notification_ids.res_partner_id,
            )
        return message

    def _notify_portal_details_changed(self, values):
        """A customer is about to save ``values`` (field name: new value, as a form sends them) on this
        record, their own details (/my/account; later the self-service pages): notify the business of
        the fields that change (P6). Call it before writing; returns the names of the changed fields."""
        self.ensure_one()
        record = self.sudo()
        changed = []
        for fname, value in values.items():
            field = record._fields.get(fname)
            if not field or not field.store:
                continue
            old = record[fname]
            if field.type == 'many2one':
                old, value = old.id, int(value) if value else False
            if (old or False) != (value or False):
                changed.append(fname)
        if changed:
            self._notify_portal_activity(
                'customer_portal.mt_portal_profile_changed',
                lambda rec: rec.env._(
                    "%(name)s changed their details: %(fields)s.",
                    name=self.env.user.partner_id.name,
                    fields=', '.join(rec._fields[fname]._description_string(rec.env) for fname in changed),
                ),
            )
        return changed

    # The helpers below are called on the superuser record by _notify_portal_activity.

    def _get_portal_activity_actor(self):
        """The user who acts: the current user, or the request's when called on a document a portal route
        read as superuser (portal's _document_check_access gives it with_user(SUPERUSER_ID))."""
        if self.env.uid == SUPERUSER_ID and request and request.env.uid and request.env.uid != SUPERUSER_ID:
            return request.env.user
        return self.env.user

    def _get_portal_activity_company(self):
        """The company whose P6 settings apply to this record."""
        self.ensure_one()
        company = self.company_id if 'company_id' in self._fields else None
        return company or self.env.company

    def _get_portal_activity_salesperson(self):
        """The internal user in charge of this record: ``invoice_user_id`` (account.move), else
        ``user_id`` when it is a user (sale.order, res.partner, ...); an empty recordset without one."""
        self.ensure_one()
        for fname in ('invoice_user_id', 'user_id'):
            field = self._fields.get(fname)
            if field and field.type == 'many2one' and field.comodel_name == 'res.users':
                if not self[fname] and self._name == 'res.partner':
                    return self.commercial_partner_id.user_id  # a contact: the salesperson of its company
                return self[fname]
        return self.env['res.users']

    def _get_portal_activity_author(self):
        """Who acted: the current user's partner, or for a token visitor the record's partner."""
        self.ensure_one()
        actor = self._get_portal_activity_actor()
        if not actor._is_public():
            return actor.partner_id
        partner = self.partner_id if 'partner_id' in self._fields else None
        return partner or actor.partner_id

    def _get_portal_activity_recipients(self, company):
        """The internal users to notify: the salesperson, else the users the company names."""
        self.ensure_one()
        users = self._get_portal_activity_salesperson().filtered(lambda user: user.active and not user.share)
        return users or company.portal_activity_user_ids.filtered(lambda user: user.active and not user.share)

    # ------------------------------------------------------------
    # P7 "Email customers when I comment"
    # ------------------------------------------------------------

    def _notify_get_recipients(self, message, msg_vals, **kwargs):
        # EXTENDS mail: while the company's "Email customers when I comment" is off, a staff message on
        # an invoice, quotation or order reaches no customer by email (P7); it stays a public message,
        # shown in the portal chatter. Sending the document itself (a layout given by the send wizards)
        # still emails the customer. Log notes never reach customers either way (internal subtype).
        recipients = super()._notify_get_recipients(message, msg_vals, **kwargs)
        if recipients and self._portal_comment_email_off(message, msg_vals or {}, kwargs):
            recipients = [recipient for recipient in recipients if not recipient['share']]
        return recipients

    def _portal_comment_email_off(self, message, msg_vals, notify_kwargs):
        """Whether this message is a staff comment on a document whose company does not email them."""
        if len(self) != 1 or self._name not in ('account.move', 'sale.order'):
            return False
        message_sudo = message.sudo()
        layout = msg_vals.get('email_layout_xmlid') or notify_kwargs.get('email_layout_xmlid')
        if layout or message_sudo.email_layout_xmlid or self.env.context.get('mark_so_as_sent'):
            return False  # sending the document: its email goes out as stock sends it
        message_type = msg_vals.get('message_type') or message_sudo.message_type
        if message_type != 'comment':
            return False
        author = self.env['res.partner'].sudo().browse(msg_vals.get('author_id') or message_sudo.author_id.id)
        if not author.user_ids.filtered(lambda user: not user.share):
            return False  # a customer's own comment: stock rules
        return not self.sudo().company_id.portal_comment_email

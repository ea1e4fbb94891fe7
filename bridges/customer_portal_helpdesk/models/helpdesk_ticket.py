# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import re
import unicodedata

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

# The files a customer may attach to a ticket (security.md, "Files"): each extension with the bytes its
# content starts with. Text files have no signature: they must read as UTF-8 text, without NUL bytes.
UPLOAD_SIGNATURES = {
    'pdf': (b'%PDF-',),
    'png': (b'\x89PNG\r\n\x1a\n',),
    'jpg': (b'\xff\xd8\xff',),
    'jpeg': (b'\xff\xd8\xff',),
    'gif': (b'GIF87a', b'GIF89a'),
    'docx': (b'PK\x03\x04',),
    'xlsx': (b'PK\x03\x04',),
    'odt': (b'PK\x03\x04',),
    'ods': (b'PK\x03\x04',),
    'txt': None,
    'csv': None,
}
UPLOAD_MIMETYPES = {
    'pdf': 'application/pdf',
    'png': 'image/png',
    'jpg': 'image/jpeg',
    'jpeg': 'image/jpeg',
    'gif': 'image/gif',
    'docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'odt': 'application/vnd.oasis.opendocument.text',
    'ods': 'application/vnd.oasis.opendocument.spreadsheet',
    'txt': 'text/plain',
    'csv': 'text/csv',
}
MAX_UPLOADS = 10  # files per ticket raised from the portal
MAX_STEM = 80  # characters kept of a file's name (before its extension)
# The documents a ticket may be about, as the customer picks them: posted invoices and confirmed orders.
PORTAL_DOCUMENT_CHOICES = 50  # of each kind, newest first


class HelpdeskTicket(models.Model):
    _inherit = 'helpdesk.ticket'

    portal_document_ref = fields.Reference(
        selection=[('account.move', "Invoice"), ('sale.order', "Sales Order")],
        string="Related Document",
        help="The customer's invoice or order the ticket is about, chosen by the customer on the portal.",
    )
    portal_last_reply_date = fields.Datetime(
        string="Last Reply",
        compute='_compute_portal_last_reply_date',
        help="When the customer or the support team last wrote on the ticket (internal notes left out).",
    )

    def _compute_portal_last_reply_date(self):
        # One query for every ticket of ``self``: the portal list shows it for each of its tickets.
        dates = {}
        if self.ids:
            comment = self.env.ref('mail.mt_comment')
            groups = (
                self.env['mail.message']
                .sudo()
                ._read_group(
                    [
                        ('model', '=', self._name),
                        ('res_id', 'in', self.ids),
                        ('message_type', 'in', ('comment', 'email')),
                        ('subtype_id', '=', comment.id),
                    ],
                    ['res_id'],
                    ['date:max'],
                )
            )
            dates = dict(groups)
        for ticket in self:
            ticket.portal_last_reply_date = dates.get(ticket.id, False)

    # ------------------------------------------------------------
    # Who sees what (P17)
    # ------------------------------------------------------------

    @api.model
    def _get_portal_ticket_domain(self, partner):
        """The tickets a portal contact sees: those of its customer company, raised by any of its contacts."""
        return [('commercial_partner_id', '=', partner.commercial_partner_id.id)]

    @api.model
    def _get_portal_tab_domain(self, tab):
        """The Open / Closed tabs of the portal list: by the closed flag of the ticket's stage."""
        return [('stage_id.closed', '=', tab == 'closed')]

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        # EXTENDS base: the portal list's Open / Closed tab, set in the context by its controller, applies to
        # its count and to its page (helpdesk_mgmt builds the list's domain inside its route, with no hook).
        tab = self.env.context.get('portal_ticket_tab')
        if tab in ('open', 'closed'):
            domain = expression.AND([domain or [], self._get_portal_tab_domain(tab)])
        return super()._search(domain, offset=offset, limit=limit, order=order, **kwargs)

    @api.model
    def _get_thread_with_access(self, thread_id, mode='read', **kwargs):
        # EXTENDS portal: the chatter of a ticket (read and post, by session or token) is refused to customers
        # while the ticket's company does not let them raise tickets (P17), as the ticket's pages are.
        thread = super()._get_thread_with_access(thread_id, mode=mode, **kwargs)
        if thread and not self.env.user._is_internal() and not thread.sudo().company_id.portal_allow_tickets:
            return self.browse()
        # A9: a contact who may not raise tickets does not write on them either (replies, uploads).
        if thread and mode != 'read' and not self.env['res.partner']._portal_user_may('tickets'):
            return self.browse()
        return thread

    # ------------------------------------------------------------
    # Raising a ticket from the portal (C17)
    # ------------------------------------------------------------

    @api.model
    def _get_portal_document_choices(self, partner):
        """The documents ``partner``'s company may raise a ticket about: its posted invoices and credit notes,
        its confirmed orders, newest first (sudo records: the caller is that customer)."""
        move_domain, order_domain = self._get_portal_document_choices_domain(partner)
        moves = (
            self.env['account.move']
            .sudo()
            .search(move_domain, order='invoice_date desc, id desc', limit=PORTAL_DOCUMENT_CHOICES)
        )
        orders = (
            self.env['sale.order']
            .sudo()
            .search(order_domain, order='date_order desc, id desc', limit=PORTAL_DOCUMENT_CHOICES)
        )
        return moves, orders

    @api.model
    def _parse_portal_document(self, value, partner):
        """The document ``value`` ("account.move,7") names, if it is one of ``partner``'s company; else
        ValidationError. An empty value is no document."""
        if not value:
            return None
        match = re.fullmatch(r'(account\.move|sale\.order),([1-9]\d{0,9})', str(value))
        record = None
        if match and int(match[2]) < 2**31:
            moves, orders = self._get_portal_document_choices_domain(partner)
            domain = moves if match[1] == 'account.move' else orders
            record = self.env[match[1]].sudo().search([('id', '=', int(match[2])), *domain], limit=1)
        if not record:
            raise ValidationError(self.env._("Choose the related document among your own invoices and orders."))
        return record

    @api.model
    def _get_portal_document_choices_domain(self, partner):
        """The domains of the invoices and of the orders a ticket of ``partner``'s company may be about."""
        commercial = partner.commercial_partner_id
        return (
            [
                ('commercial_partner_id', '=', commercial.id),
                ('move_type', 'in', ('out_invoice', 'out_refund')),
                ('state', '=', 'posted'),
            ],
            [('partner_id', 'child_of', commercial.id), ('state', '=', 'sale')],
        )

    @api.model
    def _get_portal_upload_extensions(self):
        """The extensions of the files a customer may attach to a ticket, as the form lists them."""
        return sorted(UPLOAD_SIGNATURES)

    @api.model
    def _check_portal_upload(self, filename, data, company):
        """The attachment a customer sends, checked (security.md, "Files"): its extension allowed, its content
        of that kind (magic bytes), its size under the company's cap. Returns the attachment's values with a
        server-made name; raises ValidationError with what is wrong."""
        _ = self.env._
        base = re.split(r'[\\/]', filename or '')[-1]
        stem, dot, extension = base.rpartition('.')
        extension = extension.lower() if dot else ''
        if extension not in UPLOAD_SIGNATURES:
            raise ValidationError(
                _(
                    "%(name)s: this kind of file cannot be attached. Allowed: %(allowed)s.",
                    name=base or _("a file"),
                    allowed=', '.join(self._get_portal_upload_extensions()),
                )
            )
        cap_mb = company.sudo().portal_ticket_upload_max_mb or 10
        if not data:
            raise ValidationError(_("%(name)s is empty.", name=base))
        if len(data) > cap_mb * 1024 * 1024:
            raise ValidationError(_("%(name)s is larger than %(size)s MB.", name=base, size=cap_mb))
        signatures = UPLOAD_SIGNATURES[extension]
        if signatures is None:
            try:
                valid = b'\x00' not in data and bool(data.decode('utf-8'))
            except UnicodeDecodeError:
                valid = False
        else:
            valid = data.startswith(signatures)
        if not valid:
            raise ValidationError(
                _(
                    "%(name)s is not a real .%(extension)s file: its content does not match.",
                    name=base,
                    extension=extension,
                )
            )
        # The server makes the name: letters, digits, spaces, dots, dashes and underscores of the sent name.
        stem = unicodedata.normalize('NFKC', stem)
        stem = re.sub(r'[^\w .-]+', '_', stem).strip(' ._')[:MAX_STEM] or 'attachment'
        return {
            'name': f'{stem}.{extension}',
            'datas': base64.b64encode(data),
            'mimetype': UPLOAD_MIMETYPES[extension],
            'public': False,
        }

    @api.model
    def _check_portal_uploads(self, files, company):
        """Each of ``files`` ((filename, bytes) pairs), checked; their attachments' values."""
        if len(files) > MAX_UPLOADS:
            raise ValidationError(self.env._("Attach at most %(count)s files to a ticket.", count=MAX_UPLOADS))
        return [self._check_portal_upload(name, data, company) for name, data in files]

    @api.model
    def _create_from_portal(self, vals, attachments, partner):
        """A ticket raised by ``partner`` on the portal, with its checked attachments (values of
        ``_check_portal_uploads``); ``partner`` follows it and the business is told (P6). Sudo: a portal user
        may not create tickets; the caller checked every value."""
        if not (vals.get('name') or '').strip():
            raise UserError(self.env._("Give the ticket a subject."))
        ticket = self.sudo().create(vals)
        ticket.message_subscribe(partner_ids=partner.ids)
        if attachments:
            self.env['ir.attachment'].sudo().create(
                [{**values, 'res_model': self._name, 'res_id': ticket.id} for values in attachments]
            )
        ticket._notify_portal_activity(
            'customer_portal_helpdesk.mt_ticket_portal_new',
            lambda record: (
                Markup('<p>%s</p>')
                % record.env._("%(customer)s raised this ticket on the portal.", customer=partner.display_name)
            ),
            author=partner,
        )
        return ticket

    def _message_post_after_hook(self, message, msg_vals):
        # EXTENDS mail: a customer's reply on a ticket (a comment of a portal contact or a token visitor, or an
        # email of the ticket's customer) is told to the business (P6).
        result = super()._message_post_after_hook(message, msg_vals)
        author = message.author_id
        if (
            message.message_type in ('comment', 'email')
            and message.subtype_id == self.env.ref('mail.mt_comment')
            and author
            and not author.sudo().user_ids.filtered(lambda user: not user.share)
            and author.commercial_partner_id == self.commercial_partner_id
        ):
            self._notify_portal_activity(
                'customer_portal_helpdesk.mt_ticket_portal_reply',
                lambda record: (
                    Markup('<p>%s</p>')
                    % record.env._("%(customer)s replied on the portal.", customer=author.display_name)
                ),
                author=author,
            )
        return result

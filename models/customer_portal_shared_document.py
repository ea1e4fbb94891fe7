import base64
import io
import re
import unicodedata
import zipfile
import zlib

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.mimetypes import guess_mimetype
from odoo.tools.misc import formatLang

MB = 1024 * 1024
NAME_MAX = 120  # characters of a stored file name, its extension included (security.md, "Files")

OOXML_WORD = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
OOXML_SHEET = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
ODF_TEXT = 'application/vnd.oasis.opendocument.text'
ODF_SHEET = 'application/vnd.oasis.opendocument.spreadsheet'
# Old Office files are OLE compound files: Odoo's guess tells Word from Excel by a heuristic, so either passes.
OLE_FILES = frozenset(
    {'application/msword', 'application/vnd.ms-excel', 'application/x-ole-storage', 'application/CDFV2'}
)
ZIP_FILES = frozenset({'application/zip', 'application/x-zip-compressed', OOXML_WORD, OOXML_SHEET, ODF_TEXT, ODF_SHEET})
# The extensions a customer may upload (security.md, "Files"): the type stored (and served) for each, and
# the types odoo.tools.mimetypes.guess_mimetype may find in a real file of that kind (magic bytes);
# None: text, checked as such.
UPLOAD_TYPES = {
    'pdf': ('application/pdf', frozenset({'application/pdf'})),
    'png': ('image/png', frozenset({'image/png'})),
    'jpg': ('image/jpeg', frozenset({'image/jpeg'})),
    'jpeg': ('image/jpeg', frozenset({'image/jpeg'})),
    'gif': ('image/gif', frozenset({'image/gif'})),
    'webp': ('image/webp', frozenset({'image/webp'})),
    'csv': ('text/csv', None),
    'txt': ('text/plain', None),
    'xlsx': (OOXML_SHEET, frozenset({OOXML_SHEET})),
    'xls': ('application/vnd.ms-excel', OLE_FILES),
    'docx': (OOXML_WORD, frozenset({OOXML_WORD})),
    'doc': ('application/msword', OLE_FILES),
    'odt': (ODF_TEXT, frozenset({ODF_TEXT})),
    'ods': (ODF_SHEET, frozenset({ODF_SHEET})),
    'zip': ('application/zip', ZIP_FILES),
}
ARCHIVES = frozenset({'xlsx', 'docx', 'odt', 'ods', 'zip'})
# A zip bomb: an archive expanding to more than ZIP_RATIO times its size (at least ZIP_MIN_EXPANDED), to
# more than ZIP_MAX_EXPANDED, or of more than ZIP_MAX_MEMBERS files. Expanded for real, in chunks: the
# sizes an archive declares may lie.
ZIP_RATIO = 100
ZIP_MIN_EXPANDED = 20 * MB
ZIP_MAX_EXPANDED = 1024 * MB
ZIP_MAX_MEMBERS = 10000
# Markup a text file must not start with (a browser sniffing it would run it).
MARKUP_RE = re.compile(rb'^\s*<\s*(?:!doctype|html|head|body|script|svg|\?xml|iframe|object|embed)', re.IGNORECASE)


class CustomerPortalSharedDocument(models.Model):
    """A file exchanged with a customer (C12): shared by the business from the customer's form, or
    uploaded by a contact of the customer on the portal (P8). The bytes are a private attachment of this
    record; portal users read only their company's documents (security/ record rule) and write nothing:
    uploads and deletions go through ``_portal_upload`` and ``_portal_delete``, which check them."""

    _name = 'customer_portal.shared.document'
    _description = "Shared Document"
    _order = 'create_date desc, id desc'

    name = fields.Char(string="File Name", required=True)
    partner_id = fields.Many2one(
        'res.partner',
        string="Customer",
        required=True,
        index=True,
        ondelete='cascade',
        help="The customer company: every contact of it with portal access sees the document.",
    )
    company_id = fields.Many2one('res.company', required=True, index=True, default=lambda self: self.env.company)
    direction = fields.Selection(
        [('business', "Shared with the customer"), ('customer', "Uploaded by the customer")],
        required=True,
        default='business',
    )
    author_id = fields.Many2one(
        'res.partner',
        string="By",
        required=True,
        default=lambda self: self.env.user.partner_id,
        help="Who shared or uploaded the file.",
    )
    # Read as superuser (related): customers read the name of the employee who shared a file, not the employee.
    author_name = fields.Char(related='author_id.name', string="Author Name")
    attachment_id = fields.Many2one('ir.attachment', readonly=True, ondelete='restrict')
    file_size = fields.Integer(string="Size (bytes)", related='attachment_id.file_size', store=True)
    mimetype = fields.Char(related='attachment_id.mimetype')
    file_size_display = fields.Char(string="Size", compute='_compute_file_size_display')
    # The back office's ways to share a file: upload it, or pick one attached to the customer already.
    datas = fields.Binary(string="File", compute='_compute_datas', inverse='_inverse_datas')
    source_attachment_id = fields.Many2one(
        'ir.attachment',
        string="Or Pick a File of the Customer",
        store=False,
        help="A file attached to the customer's chatter, shared as a copy.",
    )

    @api.depends('file_size')
    def _compute_file_size_display(self):
        for document in self:
            document.file_size_display = document._format_size(document.file_size)

    def _format_size(self, size):
        size = size or 0
        if size < 1024:
            return self.env._("%(count)s bytes", count=size) if size != 1 else self.env._("1 byte")
        if size < MB:
            return self.env._("%s KB", formatLang(self.env, size / 1024, digits=1))
        return self.env._("%s MB", formatLang(self.env, size / MB, digits=1))

    @api.depends('attachment_id')
    def _compute_datas(self):
        for document in self:
            document.datas = document.attachment_id.sudo().datas if document.attachment_id else False

    def _inverse_datas(self):
        for document in self.filtered('datas'):
            document._set_attachment(base64.b64decode(document.datas), document.name)

    def _set_attachment(self, data, name, mimetype=None):
        """The file of this document: a private attachment of it (never public, no access token)."""
        self.ensure_one()
        old = self.attachment_id
        values = {
            'name': name,
            'raw': data,
            'res_model': self._name,
            'res_id': self.id,
            'public': False,
        }
        if mimetype:
            values['mimetype'] = mimetype
        self.sudo().attachment_id = self.env['ir.attachment'].sudo().create(values)
        if old:
            old.sudo().unlink()

    @api.model_create_multi
    def create(self, vals_list):
        # EXTENDS base: the customer is the commercial partner; a picked file of the customer is copied.
        for vals in vals_list:
            if vals.get('partner_id'):
                vals['partner_id'] = self.env['res.partner'].browse(vals['partner_id']).commercial_partner_id.id
            source = vals.pop('source_attachment_id', False)
            if source and not vals.get('datas'):
                source = self.env['ir.attachment'].browse(source)
                source.check_access('read')
                vals['datas'] = source.datas
                vals.setdefault('name', source.name)
        documents = super().create(vals_list)
        missing = documents.filtered(lambda document: not document.attachment_id)
        if missing:
            raise UserError(_("Upload a file or pick one of the customer's files to share."))
        return documents

    def unlink(self):
        # EXTENDS base: the attachment goes with its document (base deletes those attached by res_model and
        # res_id already; a picked or replaced one may be left).
        attachments = self.sudo().attachment_id
        result = super().unlink()
        attachments.exists().unlink()
        return result

    # ------------------------------------------------------------
    # Portal: the customer's documents, uploads (P8), deletions
    # ------------------------------------------------------------

    @api.model
    def _get_portal_documents_domain(self, partner):
        """The documents every contact of ``partner``'s company sees."""
        return [('partner_id', '=', partner.commercial_partner_id.id)]

    @api.model
    def _get_portal_document(self, document_id, partner):
        """The document ``document_id`` of ``partner``'s company (sudo), or an empty recordset: ids of
        other customers' documents, unknown or malformed ids all give nothing."""
        if not isinstance(document_id, int) or isinstance(document_id, bool) or not 0 < document_id < 2**31:
            return self.sudo().browse()
        return self.sudo().search(
            [('id', '=', document_id), *self._get_portal_documents_domain(partner)],
            limit=1,
        )

    @api.model
    def _get_portal_upload_extensions(self):
        return sorted(UPLOAD_TYPES)

    @api.model
    def _get_portal_used_space(self, partner):
        """Bytes of the files the customer company of ``partner`` has uploaded (its quota's use)."""
        groups = self.sudo()._read_group(
            [('partner_id', '=', partner.commercial_partner_id.id), ('direction', '=', 'customer')],
            aggregates=['file_size:sum'],
        )
        return groups[0][0] or 0 if groups else 0

    @api.model
    def _portal_check_filename(self, filename):
        """The server-made name of a file sent as ``filename``, and its extension; raises ValidationError
        when the name is not one a browser sends for a real file (path parts, control characters, markup,
        longer than 120 characters) or its extension is not allowed."""
        _ = self.env._
        if not isinstance(filename, str) or not filename.strip():
            raise ValidationError(_("The file has no name. Choose a file to upload."))
        if '/' in filename or '\\' in filename or filename.strip().startswith('.'):
            raise ValidationError(_("A file name may not contain a path (“/”, “\\” or a leading dot)."))
        if any(unicodedata.category(char) in ('Cc', 'Cf', 'Cs', 'Co', 'Cn') for char in filename):
            raise ValidationError(_("A file name may not contain control characters."))
        if any(char in '<>:"|?*' for char in filename):
            raise ValidationError(_('A file name may not contain any of these characters: < > : " | ? *'))
        name = re.sub(r'\s+', ' ', unicodedata.normalize('NFC', filename)).strip()
        if len(name) > NAME_MAX:
            raise ValidationError(
                _(
                    "The file name has %(count)s characters; at most %(max)s are allowed. Rename the file and "
                    "upload it again.",
                    count=len(name),
                    max=NAME_MAX,
                )
            )
        stem, dot, extension = name.rpartition('.')
        extension = extension.lower() if dot else ''
        if extension not in UPLOAD_TYPES or not stem.strip(' .'):
            raise ValidationError(
                _(
                    "%(name)s: this kind of file cannot be uploaded. Allowed: %(allowed)s.",
                    name=name,
                    allowed=', '.join(self._get_portal_upload_extensions()),
                )
            )
        return f'{stem.strip(" .")}.{extension}', extension

    @api.model
    def _portal_check_content(self, name, extension, data):
        """Raise ValidationError unless ``data`` is really a file of kind ``extension`` (magic bytes through
        Odoo's guess_mimetype; text without binary bytes or markup; archives that are no zip bombs)."""
        _ = self.env._
        not_real = _(
            "%(name)s is not a real .%(extension)s file: its content does not match its extension.",
            name=name,
            extension=extension,
        )
        accepted = UPLOAD_TYPES[extension][1]
        if accepted is None:
            head = data[: 64 * 1024]
            if b'\x00' in head or MARKUP_RE.match(head):
                raise ValidationError(not_real)
            try:
                head.decode('utf-8')
            except UnicodeDecodeError as error:
                # A multi-byte character cut at the end of the head is fine; anything else is not UTF-8.
                if error.start < len(head) - 4:
                    try:
                        head.decode('cp1252')
                    except UnicodeDecodeError:
                        raise ValidationError(not_real) from None
            return
        # An archive is opened first (guess_mimetype opens it too, and logs a warning for a broken one).
        if extension in ARCHIVES and not self._portal_check_archive(data):
            raise ValidationError(
                _(
                    "%(name)s cannot be accepted: it is not a valid archive, is encrypted, or expands to far "
                    "more than its size.",
                    name=name,
                )
            )
        guessed = guess_mimetype(data, default='application/octet-stream')
        if guessed not in accepted and not (extension in ('jpg', 'jpeg') and data.startswith(b'\xff\xd8\xff')):
            raise ValidationError(not_real)

    @api.model
    def _portal_check_archive(self, data):
        """Whether the zip archive ``data`` is readable and expands reasonably (no zip bomb)."""
        limit = min(ZIP_MAX_EXPANDED, max(ZIP_MIN_EXPANDED, ZIP_RATIO * len(data)))
        expanded = 0
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = archive.infolist()
                if not members or len(members) > ZIP_MAX_MEMBERS:
                    return False
                if sum(member.file_size for member in members) > limit:
                    return False
                for member in members:
                    if member.is_dir():
                        continue
                    with archive.open(member) as stream:
                        while chunk := stream.read(MB):
                            expanded += len(chunk)
                            if expanded > limit:
                                return False
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            RuntimeError,
            NotImplementedError,
            EOFError,
            OSError,
            zlib.error,
            ValueError,
        ):
            return False
        return True

    @api.model
    def _portal_upload(self, filename, data, partner):
        """Store the file ``data`` (bytes) that the portal contact ``partner`` uploads as ``filename``, once
        checked (security.md, "Files"): the company's P8 switch, name, extension, content, size cap and the
        customer's quota; tell the business (P6). Raises ValidationError with what is wrong, storing nothing.
        Sudo: portal users write no document themselves."""
        _ = self.env._
        company = self.env.company
        if not company.sudo().portal_allow_uploads:
            raise UserError(_("Uploading documents is not available."))
        name, extension = self._portal_check_filename(filename)
        if not data:
            raise ValidationError(_("%(name)s is empty.", name=name))
        cap = company.sudo().portal_upload_max_size
        if len(data) > cap * MB:
            raise ValidationError(
                _("%(name)s is larger than %(size)s MB, the largest file you may upload.", name=name, size=cap)
            )
        self._portal_check_content(name, extension, data)
        customer = partner.commercial_partner_id
        # One upload of a customer at a time: the quota is checked against what is stored (no key update:
        # documents and others referring to the customer are still created meanwhile).
        self.env.cr.execute('SELECT id FROM res_partner WHERE id = %s FOR NO KEY UPDATE', [customer.id])
        quota = company.sudo().portal_upload_quota
        used = self._get_portal_used_space(customer)
        if used + len(data) > quota * MB:
            raise ValidationError(
                _(
                    "%(name)s does not fit in your company's %(quota)s MB of uploads: %(used)s used already. "
                    "Delete files you no longer need, or ask us for more space.",
                    name=name,
                    quota=quota,
                    used=self._format_size(used),
                )
            )
        document = (
            self.sudo()
            .with_context(tracking_disable=True)
            .create(
                {
                    'name': name,
                    'partner_id': customer.id,
                    'company_id': company.id,
                    'direction': 'customer',
                    'author_id': partner.id,
                    'datas': base64.b64encode(data),
                }
            )
        )
        document.attachment_id.mimetype = UPLOAD_TYPES[extension][0]
        customer._notify_portal_activity(
            'customer_portal.mt_portal_document_uploaded',
            lambda record: (
                Markup('<p>%s</p>')
                % record.env._(
                    "%(name)s uploaded %(file)s (%(size)s) to Shared Documents.",
                    name=partner.name,
                    file=name,
                    size=document._format_size(len(data)),
                )
            ),
            author=partner,
        )
        return document

    def _portal_delete(self, partner):
        """Delete these documents that the portal contact ``partner`` uploaded; any other is refused."""
        if not self.env.company.sudo().portal_allow_uploads:
            raise UserError(self.env._("Deleting documents is not available."))
        for document in self.sudo():
            if document.direction != 'customer' or document.author_id != partner:
                raise UserError(self.env._("You can only delete the files you uploaded."))
        self.sudo().unlink()

import hashlib
import secrets
from datetime import timedelta

from werkzeug.urls import url_encode

from odoo import api, fields, models
from odoo.exceptions import AccessError

# Models whose documents are sent with per-recipient links: invoices, quotations and sales orders.
SHARE_LINK_MODELS = ('account.move', 'sale.order')
DEFAULT_SHARE_LINK_DAYS = 30


class CustomerPortalShareLink(models.Model):
    """One recipient's own link to a document (issue 11, item 2).

    A forward (P9), the back office's Send and Share give each recipient a link of their own: a random
    token (``secrets.token_urlsafe``) of which only the SHA-256 is stored, valid until ``expiry_date``
    and revocable from the document ("Shared with"). Each opening is logged in
    ``customer_portal.share.link.open``.

    API for other features (e.g. P14, identity codes on public links)::

        link = env['customer_portal.share.link']._get_by_token('account.move', invoice.id, token)
        if link:  # valid: not expired, not revoked (sudo record)
            link.email  # the address on record for this link

    A browser that opened a document by its link keeps access to the document's own sub-pages (PDF,
    accept, chatter, which stock builds with the document's token) through its session; the link that
    granted it is ``_get_by_session(model, res_id, session)``.
    """

    _name = 'customer_portal.share.link'
    _description = "Document Link of a Recipient"
    _order = 'create_date desc, id desc'
    _rec_name = 'email'

    res_model = fields.Char(string="Document Model", required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference(string="Document", model_field='res_model', required=True, readonly=True)
    partner_id = fields.Many2one(
        'res.partner',
        string="Contact",
        readonly=True,
        ondelete='set null',
        index='btree_not_null',
        help="The recipient's contact, when they are one of the customer's contact persons.",
    )
    name = fields.Char(string="Recipient", readonly=True)
    email = fields.Char(required=True, readonly=True, help="The address the link was sent to.")
    token_hash = fields.Char(required=True, readonly=True, copy=False, groups='base.group_system')
    origin = fields.Selection(
        [('forward', "Forwarded by the customer"), ('send', "Sent"), ('share', "Shared")],
        required=True,
        readonly=True,
        default='send',
    )
    sender_user_id = fields.Many2one('res.users', string="Shared By", readonly=True, ondelete='set null')
    expiry_date = fields.Datetime(string="Expires On", required=True, readonly=True)
    revoked = fields.Boolean(readonly=True)
    revoked_date = fields.Datetime(string="Revoked On", readonly=True)
    state = fields.Selection(
        [('valid', "Valid"), ('expired', "Expired"), ('revoked', "Revoked")], compute='_compute_state'
    )
    open_ids = fields.One2many('customer_portal.share.link.open', 'link_id', string="Openings", readonly=True)
    open_count = fields.Integer(string="Opened", compute='_compute_open_stats')
    last_open_date = fields.Datetime(string="Last Opened", compute='_compute_open_stats')

    _sql_constraints = [
        ('token_hash_unique', 'UNIQUE(token_hash)', "A link's token is unique."),
    ]

    def init(self):
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS customer_portal_share_link_document_index "
            "ON customer_portal_share_link (res_model, res_id)"
        )

    @api.depends('revoked', 'expiry_date')
    def _compute_state(self):
        now = fields.Datetime.now()
        for link in self:
            if link.revoked:
                link.state = 'revoked'
            elif link.expiry_date and link.expiry_date <= now:
                link.state = 'expired'
            else:
                link.state = 'valid'

    def _compute_open_stats(self):
        stats = {}
        ids = [link_id for link_id in self.ids if link_id]
        if ids:
            groups = (
                self.env['customer_portal.share.link.open']
                .sudo()
                ._read_group([('link_id', 'in', ids)], ['link_id'], ['__count', 'open_date:max'])
            )
            stats = {link.id: (count, last) for link, count, last in groups}
        for link in self:
            link.open_count, link.last_open_date = stats.get(link.id, (0, False))

    # ------------------------------------------------------------
    # Tokens
    # ------------------------------------------------------------

    @api.model
    def _hash_token(self, token):
        return hashlib.sha256(token.encode()).hexdigest()

    @api.model
    def _create_for_document(self, document, email, partner=None, name=None, origin='send', sender=None):
        """A new link of ``email`` (and contact ``partner``) to ``document``, valid for the days set by
        the document's company. Returns ``(link, url)``: the full URL holds the clear token, which is
        never stored (only its hash) and must be sent right away."""
        document.ensure_one()
        token = secrets.token_urlsafe(32)
        days = document.company_id.sudo().portal_share_link_days or DEFAULT_SHARE_LINK_DAYS
        link = self.sudo().create(
            {
                'res_model': document._name,
                'res_id': document.id,
                'partner_id': partner.id if partner else False,
                'name': name or (partner.name if partner else False),
                'email': email,
                'token_hash': self._hash_token(token),
                'origin': origin,
                'sender_user_id': (sender or self.env.user).id,
                'expiry_date': fields.Datetime.now() + timedelta(days=days),
            }
        )
        return link, link._get_url(document, token)

    def _get_url(self, document, token):
        """The document's portal page with this link's token, on the document's own base URL (the
        company's portal domain when it has one)."""
        return '%s%s?%s' % (document.get_base_url(), document.access_url, url_encode({'access_token': token}))

    @api.model
    def _get_by_token(self, model, res_id, token):
        """The valid (neither expired nor revoked) link of ``token`` to the document ``model``/``res_id``,
        as sudo, or an empty recordset."""
        if not token or not isinstance(token, str) or model not in SHARE_LINK_MODELS:
            return self.sudo().browse()
        link = self.sudo().search(
            [('token_hash', '=', self._hash_token(token)), ('res_model', '=', model), ('res_id', '=', res_id)],
            limit=1,
        )
        return link if link._is_valid() else self.sudo().browse()

    @api.model
    def _get_by_session(self, model, res_id, session):
        """The valid link through which the browser of ``session`` opened the document, or empty."""
        link_id = (session.get('customer_portal_share_links') or {}).get(f'{model},{res_id}')
        if not isinstance(link_id, int):
            return self.sudo().browse()
        link = self.sudo().browse(link_id).exists()
        if not link or link.res_model != model or link.res_id != res_id or not link._is_valid():
            return self.sudo().browse()
        return link

    def _remember_in_session(self, session):
        """Let this browser reach the document's sub-pages (PDF, accept, chatter) with the document's own
        token while this link stays valid."""
        self.ensure_one()
        links = dict(session.get('customer_portal_share_links') or {})
        links[f'{self.res_model},{self.res_id}'] = self.id
        session['customer_portal_share_links'] = links

    def _is_valid(self):
        """Whether this one link still opens its document (not revoked, not expired)."""
        return len(self) == 1 and not self.revoked and self.expiry_date > fields.Datetime.now()

    def _log_open(self, ip_address):
        """Record one opening of the document through this link."""
        self.ensure_one()
        self.env['customer_portal.share.link.open'].sudo().create(
            {'link_id': self.id, 'open_date': fields.Datetime.now(), 'ip_address': (ip_address or '')[:64]}
        )

    # ------------------------------------------------------------
    # Back office
    # ------------------------------------------------------------

    def _get_document(self):
        self.ensure_one()
        return self.env[self.res_model].browse(self.res_id)

    def action_revoke(self):
        """Revoke the links: they stop opening the document at once. Whoever may edit the document may
        revoke its links."""
        for link in self:
            try:
                link._get_document().check_access('write')
            except AccessError:
                raise AccessError(self.env._("You cannot revoke the links of a document you cannot edit.")) from None
        self.sudo().filtered(lambda link: not link.revoked).write(
            {'revoked': True, 'revoked_date': fields.Datetime.now()}
        )
        return True

    @api.model
    def _get_document_domain(self, document):
        return [('res_model', '=', document._name), ('res_id', '=', document.id)]

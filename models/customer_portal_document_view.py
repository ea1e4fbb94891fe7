from odoo import api, fields, models
from odoo.tools import SQL


class CustomerPortalDocumentView(models.Model):
    """A customer's first view of a document (A6): one row per document, viewer and version of the
    document, written in its own table so that a view never writes the document's row."""

    _name = 'customer_portal.document.view'
    _description = "Document Viewed by a Customer"
    _order = 'view_date desc, id desc'
    _log_access = False  # rows are only inserted, by record_view(); view_date says when

    res_model = fields.Char(string="Document Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(string="Document", model_field='res_model', required=True, readonly=True)
    partner_id = fields.Many2one(
        'res.partner',
        string="Viewed By",
        required=True,
        readonly=True,
        ondelete='cascade',
        help="The contact who opened the document; for a visitor of a shared link, the document's customer.",
    )
    user_id = fields.Many2one(
        'res.users', string="Portal User", readonly=True, ondelete='set null', help="Empty for a shared link."
    )
    via = fields.Selection(
        [('portal', "Portal"), ('link', "Shared link")], string="Opened From", required=True, readonly=True
    )
    version = fields.Integer(
        readonly=True,
        help="The document's sending this view belongs to: it starts over when a changed document is sent again.",
    )
    view_date = fields.Datetime(string="First Viewed On", required=True, readonly=True)

    _sql_constraints = [
        (
            'document_viewer_version_unique',
            'UNIQUE(res_model, res_id, partner_id, version)',
            "A viewer's first view of a version of a document is recorded once.",
        ),
    ]

    @api.model
    def _record_view(self, document, partner, user, via):
        """Record ``partner``'s first view of the current version of ``document``.

        One INSERT ... ON CONFLICT DO NOTHING: a view already recorded costs this one query, and two
        simultaneous first views (two tabs, two colleagues) give one row. The second of them conflicts
        with a row its snapshot cannot see (repeatable read): PostgreSQL refuses it with a serialization
        failure, which Odoo's request loop retries (logged at INFO, not logged here as a bad query); the
        retry sees the row and records nothing.

        :return: True when this is the first view of this viewer for this version.
        """
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO customer_portal_document_view
                       (res_model, res_id, partner_id, user_id, via, version, view_date)
                VALUES (%s, %s, %s, %s, %s, %s, %s)
                ON CONFLICT (res_model, res_id, partner_id, version) DO NOTHING
                RETURNING id
                """,
                document._name,
                document.id,
                partner.id,
                user.id or None,
                via,
                document.portal_view_version,
                self.env.cr.now(),
            ),
            log_exceptions=False,
        )
        return bool(self.env.cr.fetchone())

from odoo import fields, models
from odoo.tools import SQL, format_datetime

from ..tools.document_rows import count_document_rows, document_rows_action


class CustomerPortalDocumentViewMixin(models.AbstractModel):
    """A document whose views by the customer are recorded (A6): invoices, quotations and orders.

    The views live in ``customer_portal.document.view``; the document only keeps the version its views
    belong to, which starts over when a changed document is sent again (``_portal_mark_sent``)."""

    _name = 'customer_portal.document.view.mixin'
    _description = "Document Viewed by Customers"

    portal_view_version = fields.Integer(
        string="Sent Version",
        copy=False,
        readonly=True,
        groups='base.group_user',
        help="Counts the times the document was sent again after a change; its Viewed mark starts over then.",
    )
    portal_sent_date = fields.Datetime(string="Last Sent On", copy=False, readonly=True, groups='base.group_user')
    portal_viewed = fields.Boolean(
        string="Customer Viewed",
        compute='_compute_portal_view_mark',
        search='_search_portal_viewed',
        groups='base.group_user',
        help="The customer opened this version of the document in the portal or from its link.",
    )
    portal_view_label = fields.Char(string="Viewed", compute='_compute_portal_view_mark', groups='base.group_user')
    portal_view_count = fields.Integer(string="Views", compute='_compute_portal_view_count', groups='base.group_user')

    # ------------------------------------------------------------
    # Back office: the mark, the filter, the history
    # ------------------------------------------------------------

    def _portal_current_views_sql(self):
        """The views of the current version of the documents of this model (alias ``v``)."""
        return SQL(
            """
            SELECT v.res_id, v.partner_id, v.view_date, v.id
              FROM customer_portal_document_view v
              JOIN %s d ON d.id = v.res_id AND v.version = COALESCE(d.portal_view_version, 0)
             WHERE v.res_model = %s
            """,
            SQL.identifier(self._table),
            self._name,
        )

    def _compute_portal_view_mark(self):
        # One query for the whole list, whatever the number of views recorded.
        marks = {}
        ids = [record_id for record_id in self.ids if record_id]
        if ids:
            self.env.cr.execute(
                SQL(
                    "SELECT DISTINCT ON (res_id) res_id, partner_id, view_date FROM (%s) AS cur "
                    "WHERE res_id IN %s ORDER BY res_id, view_date, id",
                    self._portal_current_views_sql(),
                    tuple(ids),
                )
            )
            marks = {res_id: (partner_id, view_date) for res_id, partner_id, view_date in self.env.cr.fetchall()}
        partners = self.env['res.partner'].sudo().browse({partner_id for partner_id, __ in marks.values()})
        partners.fetch(['name'])
        for record in self:
            mark = marks.get(record.id)
            record.portal_viewed = bool(mark)
            record.portal_view_label = mark and self.env._(
                "Viewed by %(name)s on %(date)s",
                name=partners.browse(mark[0]).name,
                date=format_datetime(self.env, mark[1], dt_format='short'),
            )

    def _search_portal_viewed(self, operator, value):
        if operator not in ('=', '!='):
            raise NotImplementedError(self.env._("Operation not supported"))
        viewed = (operator == '=') == bool(value)
        query = SQL("(SELECT res_id FROM (%s) AS cur)", self._portal_current_views_sql())
        return [('id', 'in' if viewed else 'not in', query)]

    def _compute_portal_view_count(self):
        counts = count_document_rows(self.env['customer_portal.document.view'], self)
        for record in self:
            record.portal_view_count = counts.get(record.id, 0)

    def action_view_portal_views(self):
        """The full history of the customer's views of this document, every version."""
        self.ensure_one()
        return document_rows_action(
            self.env['customer_portal.document.view'], self, self.env._("Customer Views"), 'list'
        )

    # ------------------------------------------------------------
    # Recording a view (portal) and a new version (sending)
    # ------------------------------------------------------------

    def _portal_view_recordable(self):
        """Whether a customer's view of this document is recorded (e.g. customer invoices only)."""
        self.ensure_one()
        return True

    def _portal_record_view(self, access_token=None):
        """Record the current user's view of this document, shown in the portal (called on sudo).

        Internal users (previews included) are never recorded. A portal user of the document's
        customer is the viewer, through the portal; anyone else holding the link (a token visitor) is
        recorded as the document's customer, through the link. The document's row is never written.
        """
        self.ensure_one()
        user = self._get_portal_activity_actor()
        if not user._is_public() and not user.share:
            return False
        if not self._portal_view_recordable():
            return False
        customer = self.partner_id.commercial_partner_id
        if not user._is_public() and user.partner_id.commercial_partner_id == customer:
            viewer, viewer_user, via = user.partner_id, user, 'portal'
        elif access_token:
            viewer, viewer_user, via = self.partner_id, self.env['res.users'], 'link'
        else:
            return False
        first = self.env['customer_portal.document.view']._record_view(self, viewer, viewer_user, via)
        if first:
            self._notify_portal_activity(
                'customer_portal.mt_portal_viewed',
                lambda record: record.env._(
                    "%(document)s viewed by the customer %(name)s.", document=record.display_name, name=viewer.name
                ),
                author=viewer,
            )
        return first

    def _portal_mark_sent(self):
        """The documents are being sent: one changed since it was last sent starts a new version, its
        Viewed mark starting over (the history keeps the views of every version)."""
        now = self.env.cr.now()
        for record in self.sudo():
            changed = record.portal_sent_date and record.write_date and record.write_date > record.portal_sent_date
            record.write(
                {
                    'portal_sent_date': now,
                    'portal_view_version': record.portal_view_version + 1 if changed else record.portal_view_version,
                }
            )

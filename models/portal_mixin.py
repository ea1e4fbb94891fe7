import uuid

from odoo import models
from odoo.http import request
from odoo.tools import SQL


class PortalMixin(models.AbstractModel):
    _inherit = 'portal.mixin'

    def _get_share_url(self, redirect=False, signup_partner=False, pid=None, share_token=True):
        # EXTENDS portal: the Share wizard's link to an invoice, quotation or order is the invited
        # partner's own (issue 11), straight to the document's page (stock's /mail/view would compare its
        # token with the document's). The wizard prepends the base URL.
        cache = self.env.context.get('customer_portal_share_urls')
        if (
            cache is not None
            and pid
            and share_token
            and isinstance(self, self.pool['customer_portal.document.share.mixin'])
            and self._portal_share_links_apply()
        ):
            partner = self.env['res.partner'].sudo().browse(pid)
            url = self._portal_get_recipient_link_url(partner, origin='share')
            return url.removeprefix(self.get_base_url())
        return super()._get_share_url(
            redirect=redirect, signup_partner=signup_partner, pid=pid, share_token=share_token
        )

    def get_portal_url(self, suffix=None, report_type=None, download=None, query_string=None, anchor=None):
        # EXTENDS portal: a page opened by a recipient's own link (issue 11) links its PDF and other
        # sub-pages with that same token: the document's own token is not handed to the recipient, and
        # each of those openings is logged as theirs.
        url = super().get_portal_url(
            suffix=suffix, report_type=report_type, download=download, query_string=query_string, anchor=anchor
        )
        tokens = getattr(request, 'customer_portal_share_tokens', None) if request else None
        token = tokens and tokens.get((self._name, self.id))
        if token and self.access_token:
            url = url.replace(f'access_token={self.access_token}', f'access_token={token}', 1)
        return url

    def _portal_ensure_token(self):
        # EXTENDS portal: stock writes the token the first time a page shows the document's link, so two
        # requests showing the same new document at once (a list in two tabs, a list and the invoice-sending
        # job) race on its row. The loser's serialization failure is expected and Odoo's request loop retries
        # it (logged at INFO), but the ORM's write logs it at ERROR first. One UPDATE that does not log its
        # failure sets the token instead; it also leaves write_date alone, since showing a link changes
        # nothing the business cares about. super() then finds the token and returns it.
        if not self.access_token:
            self.flush_recordset(['access_token'])
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET access_token = %s WHERE id = %s AND access_token IS NULL",
                    SQL.identifier(self._table),
                    str(uuid.uuid4()),
                    self.id,
                ),
                log_exceptions=False,
            )
            self.invalidate_recordset(['access_token'])
        return super()._portal_ensure_token()

from odoo import api, models


class PortalShare(models.TransientModel):
    _inherit = 'portal.share'

    def _send_public_link(self, partners=None):
        # EXTENDS portal: each partner invited by Share gets a link of their own to an invoice, quotation
        # or order (issue 11): the context's cache makes one per partner, shared by the email's text
        # (_get_share_url) and its button (_notify_get_recipients_groups).
        return super(PortalShare, self.with_context(customer_portal_share_urls={}))._send_public_link(partners=partners)

    @api.depends('res_model', 'res_id')
    def _compute_share_link(self):
        # EXTENDS portal: with "Only Per-Recipient Links" (issue 11) the document's own link is refused when
        # opened, so the link to copy is the document's page, where its reader signs in; the recipients of
        # the wizard's email get links of their own.
        result = super()._compute_share_link()
        for wizard in self:
            document = wizard.resource_ref
            if (
                wizard.share_link
                and isinstance(document, self.pool['customer_portal.document.share.mixin'])
                and document._portal_share_links_apply()
                and document.sudo().company_id.portal_share_links_only
            ):
                wizard.share_link = document.get_base_url() + document.access_url
        return result

from odoo import models


class PortalShare(models.TransientModel):
    _inherit = 'portal.share'

    def _send_public_link(self, partners=None):
        # EXTENDS portal: each partner invited by Share gets a link of their own to an invoice, quotation
        # or order (issue 11): the context's cache makes one per partner, shared by the email's text
        # (_get_share_url) and its button (_notify_get_recipients_groups).
        return super(PortalShare, self.with_context(customer_portal_share_urls={}))._send_public_link(partners=partners)

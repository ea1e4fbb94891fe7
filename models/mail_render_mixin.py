# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo import api, models


class MailRenderMixin(models.AbstractModel):
    _inherit = 'mail.render.mixin'

    @api.model
    def _replace_local_links(self, html, base_url=None):
        # EXTENDS mail: without a base URL, the one of the record being emailed when mail.template.send_mail gave it
        # (P19, models/mail_template.py), rather than web.base.url.
        return super()._replace_local_links(html, base_url=base_url or self.env.context.get('customer_portal_base_url'))

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo import models


class MailTemplate(models.Model):
    _inherit = 'mail.template'

    def send_mail(self, res_id, force_send=False, raise_exception=False, email_values=None, email_layout_xmlid=False):
        # EXTENDS mail: stock makes the email layout's own relative links (the logo, /mail/unfollow) absolute on
        # web.base.url; they follow the record's base URL instead, so that an email to a customer of a company with a
        # portal domain (P19) links to that domain only (mail.render.mixin._replace_local_links reads it).
        self.ensure_one()
        base_url = False
        if self.model and isinstance(res_id, int) and res_id:
            base_url = self.env[self.model].browse(res_id).exists().get_base_url()
        template = self.with_context(customer_portal_base_url=base_url) if base_url else self
        return super(MailTemplate, template).send_mail(
            res_id,
            force_send=force_send,
            raise_exception=raise_exception,
            email_values=email_values,
            email_layout_xmlid=email_layout_xmlid,
        )

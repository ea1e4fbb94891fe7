from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers import thread


class ThreadController(thread.ThreadController):
    @http.route()
    def mail_message_post(self, thread_model, thread_id, post_data, context=None, **kwargs):
        # EXTENDS mail: a comment a customer (portal user, or visitor of a shared link) posts on a document
        # from the portal chatter is portal activity (P6); mail.thread.message_post tells the business.
        if request.env.user._is_public() or request.env.user.share:
            request.update_context(portal_customer_comment=True)
        return super().mail_message_post(thread_model, thread_id, post_data, context=context, **kwargs)

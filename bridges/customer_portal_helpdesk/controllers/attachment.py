# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import BadRequest, NotFound

from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request

from odoo.addons.mail.controllers import attachment

from .helpdesk import _parse_id


class AttachmentController(attachment.AttachmentController):
    @http.route()
    def mail_attachment_upload(self, ufile=None, thread_id=None, thread_model=None, is_pending=False, **kwargs):
        # EXTENDS mail: a file a customer attaches in a ticket's chatter follows the upload rules of the
        # new-ticket form (security.md, "Files"): refused with the reason, nothing stored; kept under the
        # server's name. A request without a file, or naming no thread, is answered 400 / 404 (stock's
        # signature made a missing one a TypeError, a 500; a model that is none or no thread a KeyError or an
        # AttributeError).
        if not isinstance(ufile, FileStorage):
            raise BadRequest()
        if (
            not isinstance(thread_model, str)
            or thread_model not in request.env
            or not hasattr(request.env[thread_model], '_get_thread_with_access')
            or not _parse_id(thread_id)
        ):
            raise NotFound()
        if thread_model != 'helpdesk.ticket' or request.env.user._is_internal():
            return super().mail_attachment_upload(ufile, thread_id, thread_model, is_pending=is_pending, **kwargs)
        Ticket = request.env['helpdesk.ticket']
        ticket_id = _parse_id(thread_id)
        thread = Ticket._get_thread_with_access(ticket_id, mode=Ticket._mail_post_access, **kwargs)
        if not thread:
            raise NotFound()
        company = thread.sudo().company_id
        limit = (company.sudo().portal_ticket_upload_max_mb or 10) * 1024 * 1024 + 1
        try:
            values = Ticket._check_portal_upload(ufile.filename, ufile.read(limit), company)
        except ValidationError as error:
            return request.make_json_response({'error': error.args[0]})
        ufile.stream.seek(0)
        ufile.filename = values['name']
        return super().mail_attachment_upload(ufile, str(ticket_id), thread_model, is_pending=is_pending, **kwargs)

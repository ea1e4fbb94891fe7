from odoo import _, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from odoo.addons.customer_portal.controllers import portal_list
from odoo.addons.customer_portal.models.customer_portal_shared_document import MB

# Messages of /my/documents after a redirection (?message=), by key: never text from the request.
DOCUMENT_MESSAGES = ('uploaded', 'deleted')


class CustomerPortal(portal_list.CustomerPortal):
    """/my/documents (C12): the files the business shares with the customer company and those its contacts
    upload (P8). The rules (what may be uploaded, quota, who deletes what) are the model's
    (customer_portal.shared.document); these routes read the request and answer."""

    def _prepare_home_portal_values(self, counters):
        # EXTENDS portal: the counter of the Shared Documents card.
        values = super()._prepare_home_portal_values(counters)
        if 'shared_document_count' in counters:
            Document = request.env['customer_portal.shared.document']
            values['shared_document_count'] = (
                Document.search_count(Document._get_portal_documents_domain(request.env.user.partner_id))
                if Document.has_access('read')
                else 0
            )
        return values

    def _portal_uploads_enabled(self):
        return bool(request.env.company.sudo().portal_allow_uploads)

    def _get_documents_searchbar_sortings(self):
        return {
            'date': {'label': _('Newest'), 'order': 'create_date desc, id desc'},
            'name': {'label': _('Name'), 'order': 'name asc, id desc'},
        }

    def _prepare_documents_values(self, page=1, sortby='date', **extra):
        Document = request.env['customer_portal.shared.document']
        partner = request.env.user.partner_id
        values = self._prepare_portal_list_values(
            Document,
            Document._get_portal_documents_domain(partner),
            '/my/documents',
            page=page,
            sortby=sortby,
            searchbar_sortings=self._get_documents_searchbar_sortings(),
        )
        company = request.env.company.sudo()
        # A9: no upload form for a contact who may not upload.
        uploads = self._portal_uploads_enabled() and request.env.user.partner_id._has_portal_permission('upload')
        values.update(
            page_name='shared_documents',
            documents=values.pop('records'),
            portal_partner=partner,
            uploads_enabled=uploads,
            upload_extensions=Document._get_portal_upload_extensions(),
            upload_max_size=company.portal_upload_max_size,
            upload_quota=company.portal_upload_quota,
            upload_used=Document._format_size(Document._get_portal_used_space(partner)) if uploads else False,
            **extra,
        )
        return values

    @http.route(
        ['/my/documents', '/my/documents/page/<int:page>'],
        type='http',
        auth='user',
        website=True,
        sitemap=False,
    )
    def portal_my_documents(self, page=1, sortby='date', message=None, **kw):
        if not request.env['customer_portal.shared.document'].has_access('read'):
            raise request.not_found()
        values = self._prepare_documents_values(
            page=page, sortby=sortby, message=message if message in DOCUMENT_MESSAGES else None
        )
        return request.render('customer_portal.portal_my_documents', values)

    @http.route(
        '/my/documents/upload',
        type='http',
        auth='user',
        methods=['POST'],
        website=True,
        sitemap=False,
    )
    def portal_document_upload(self, **kw):
        """The one upload action of the customer (P8): a multipart form with the file ``attachment``."""
        if not self._portal_uploads_enabled():
            raise request.not_found()
        request.env.user.partner_id._check_portal_permission('upload')  # A9: 403, nothing stored
        upload = request.httprequest.files.get('attachment')
        Document = request.env['customer_portal.shared.document']
        try:
            if not upload or not upload.filename:
                raise ValidationError(_("Choose a file to upload."))
            # One byte more than the cap tells "too large" without reading a huge file into memory.
            data = upload.read(request.env.company.sudo().portal_upload_max_size * MB + 1)
            with request.env.cr.savepoint():
                Document._portal_upload(upload.filename, data, request.env.user.partner_id)
        except (ValidationError, UserError) as error:
            values = self._prepare_documents_values(upload_error=error.args[0])
            return request.render('customer_portal.portal_my_documents', values, status=400)
        return request.redirect('/my/documents?message=uploaded', code=303)

    @http.route(
        '/my/documents/<int:document_id>/download',
        type='http',
        auth='user',
        methods=['GET'],
        website=True,
        sitemap=False,
    )
    def portal_document_download(self, document_id, **kw):
        partner = request.env.user.partner_id
        document = request.env['customer_portal.shared.document']._get_portal_document(document_id, partner)
        if not document or not document.attachment_id:
            raise request.not_found()
        stream = request.env['ir.binary']._get_stream_from(document.attachment_id.sudo())
        stream.download_name = document.name
        response = stream.get_response(as_attachment=True)
        response.headers['X-Content-Type-Options'] = 'nosniff'
        response.headers['Cache-Control'] = 'private, no-store'
        return response

    @http.route(
        '/my/documents/<int:document_id>/delete',
        type='http',
        auth='user',
        methods=['POST'],
        website=True,
        sitemap=False,
    )
    def portal_document_delete(self, document_id, **kw):
        if not self._portal_uploads_enabled():
            raise request.not_found()
        request.env.user.partner_id._check_portal_permission('upload')  # A9: 403, nothing deleted
        partner = request.env.user.partner_id
        document = request.env['customer_portal.shared.document']._get_portal_document(document_id, partner)
        if not document:
            raise request.not_found()
        try:
            document._portal_delete(partner)
        except UserError as error:
            values = self._prepare_documents_values(upload_error=error.args[0])
            return request.render('customer_portal.portal_my_documents', values, status=403)
        return request.redirect('/my/documents?message=deleted', code=303)

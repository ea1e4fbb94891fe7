from werkzeug.exceptions import BadRequest
from werkzeug.urls import url_encode

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers import portal
from odoo.addons.web.controllers import home


class Home(home.Home):
    @http.route()
    def web_login(self, redirect=None, **kw):
        # EXTENDS web: the login page reached from /portal/<slug> shows that company (P1).
        if request.httprequest.method == 'POST' and not all(
            isinstance(request.params.get(key), str) and request.params[key] and '\x00' not in request.params[key]
            for key in ('login', 'password')
        ):
            # why: stock drops empty fields from the credential and res.users._login then fails with
            # KeyError('login'); a NUL byte makes PostgreSQL refuse the login query: both were a 500.
            raise BadRequest(request.env._("Enter your email and password."))
        response = super().web_login(redirect=redirect, **kw)
        slug = request.params.get('portal')
        if slug and getattr(response, 'qcontext', None) is not None:
            company = request.env['res.company']._get_by_portal_slug(slug)
            if company:
                response.qcontext['portal_company'] = company
        return response


class CustomerPortal(portal.CustomerPortal):
    @http.route('/portal/<string:slug>', type='http', auth='public', website=True, sitemap=False)
    def portal_entry(self, slug, **kw):
        """The company's portal address (P1): its login page for visitors, the portal for users."""
        company = request.env['res.company']._get_by_portal_slug(slug)
        if not company:
            raise request.not_found()
        if request.session.uid:
            return request.redirect('/my')
        return request.redirect('/web/login?' + url_encode({'redirect': '/my', 'portal': company.portal_slug}))

    @http.route()
    def security(self, **post):
        # EXTENDS portal: stock reads post['old'], post['new1'] and post['new2'] and answered 500
        # (KeyError) to a form without one of them; a missing field is an empty one, refused with
        # the normal "You cannot leave any password empty." message.
        if request.httprequest.method == 'POST':
            for key in ('old', 'new1', 'new2'):
                if not isinstance(post.get(key), str):
                    post[key] = ''
        return super().security(**post)

    def on_account_update(self, values, partner):
        # EXTENDS portal: the business is told which of their details a customer changed (P6).
        result = super().on_account_update(values, partner)
        partner._notify_portal_details_changed(values)
        return result

    def _get_page_view_values(self, document, access_token, values, session_history, no_breadcrumbs, **kwargs):
        # EXTENDS portal: the customer's view of an invoice, quotation or order is recorded (A6), the one
        # place every document page passes through; the model decides who is recorded (never staff).
        if isinstance(document, request.env.registry['customer_portal.document.view.mixin']):
            document._portal_record_view(access_token=access_token)
        return super()._get_page_view_values(document, access_token, values, session_history, no_breadcrumbs, **kwargs)

    def _get_optional_fields(self):
        # EXTENDS portal: each contact chooses their own portal language on /my/account (A5, C16).
        return super()._get_optional_fields() + ['lang']

    def details_form_validate(self, data, partner_creation=False):
        # EXTENDS portal: the language must be one installed; none chosen leaves it as it is.
        if 'lang' in data and not data['lang']:
            data.pop('lang')
        error, error_message = super().details_form_validate(data, partner_creation=partner_creation)
        if 'lang' in data and data['lang'] not in dict(request.env['res.lang'].get_installed()):
            # Not kept in the form's values: the page's own `lang` (language selector) must stay a real one.
            data.pop('lang')
            error['lang'] = 'error'
            error_message.append(request.env._("Choose one of the languages offered."))
        return error, error_message

    @http.route()
    def account(self, redirect=None, **post):
        # EXTENDS portal: a contact who chose another language reads the portal in it from the next page on:
        # the session's language and the frontend_lang cookie, which Odoo reads before the user's, follow it.
        response = super().account(redirect=redirect, **post)
        lang = request.env.user.lang
        if post.get('lang') == lang and request.session.context.get('lang') != lang:
            request.session.context = {**request.session.context, 'lang': lang}
            response.set_cookie('frontend_lang', lang)
        return response

    @http.route('/my/banner/preview', type='http', auth='user', website=True, sitemap=False)
    def portal_banner_preview(self, company_id=None, **kw):
        """The banner as a customer of the company sees it, for the administrators who edit it."""
        user = request.env.user
        company = user.company_id
        if company_id:
            try:
                company = request.env['res.company'].browse(int(company_id))
            except (TypeError, ValueError):
                raise request.not_found() from None
        if not user.has_group('base.group_system') or company not in user.company_ids:
            raise request.not_found()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                'portal_banner': company.sudo()._get_portal_banner(),
                'preview_company': company,
            }
        )
        return request.render('customer_portal.portal_banner_preview', values)

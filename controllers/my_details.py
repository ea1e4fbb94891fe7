from odoo import http
from odoo.http import request

from ..models.res_partner import PORTAL_DETAILS_FIELDS
from . import home

# A child of the customer company by kind: its name in the URLs, templates and messages.
DETAILS_CHILD_NAMES = {'delivery': 'address', 'contact': 'contact'}
# The messages of /my/details after a save (?saved=...).
SAVED_MESSAGES = ('company', 'address', 'contact', 'address_archived', 'contact_archived')
# The headers stock's /my/account sends with its form.
FORM_HEADERS = {'X-Frame-Options': 'SAMEORIGIN', 'Content-Security-Policy': "frame-ancestors 'self'"}


class PortalAccount(home.PortalAccount):
    """My Details (P8, C13): with "Allow customers to upload documents and edit their information" on,
    any portal contact of a customer company edits its details, billing address, shipping addresses and
    contact persons. The rules (what may change, validation, logging, P6) are the model's
    (res.partner._portal_save_details); each save is one method here. Off: every route answers 404."""

    def _my_details_enabled(self):
        """Whether the caller may edit their company's details (P8): a portal user of a company with the
        setting on."""
        user = request.env.user
        # sudo: portal users cannot read their company's settings.
        return user._is_portal() and bool(user.company_id.sudo().portal_allow_uploads)

    def _my_details_customer(self):
        """The caller's customer company (never a parameter), or 404 when P8 is off."""
        if not self._my_details_enabled():
            raise request.not_found()
        return request.env.user.partner_id.commercial_partner_id

    def _my_details_child(self, customer, kind, child_id):
        """The shipping address or contact person ``child_id`` of ``customer``, or 404."""
        child = customer._portal_get_details_child(kind, child_id)
        if not child:
            raise request.not_found()
        return child

    @staticmethod
    def _my_details_form(kind, values):
        """The fields of ``kind`` the form sent (absent ones are left as they are)."""
        return {fname: value for fname, value in values.items() if fname in PORTAL_DETAILS_FIELDS[kind]}

    def _render_my_details(self, template, values):
        values = {
            **self._prepare_portal_layout_values(),
            'countries': request.env['res.country'].sudo().search([]),
            'states': request.env['res.country.state'].sudo().search([]),
            'errors': {},
            'form': {},
            **values,
        }
        return request.render(template, values, headers=FORM_HEADERS)

    def _get_portal_home_account_values(self):
        # EXTENDS customer_portal (controllers/home.py): the home's Company Details card links to My Details
        # when the customer may edit.
        values = super()._get_portal_home_account_values()
        values['portal_my_details_enabled'] = self._my_details_enabled()
        return values

    # ------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------

    @http.route('/my/details', type='http', auth='user', website=True, methods=['GET'], sitemap=False)
    def portal_my_details_overview(self, saved=None, **kw):
        customer = self._my_details_customer()
        customer_sudo = customer.sudo()
        return self._render_my_details(
            'customer_portal.portal_my_details_overview',
            {
                'page_name': 'cp_details',
                'customer': customer_sudo,
                'addresses': customer._portal_get_details_children('delivery'),
                'contacts': customer._portal_get_details_children('contact'),
                'saved': saved if saved in SAVED_MESSAGES else None,
            },
        )

    @http.route('/my/details/company', type='http', auth='user', website=True, methods=['GET', 'POST'], sitemap=False)
    def portal_my_details_company(self, **post):
        customer = self._my_details_customer()
        request.env.user.partner_id._check_portal_permission('edit')  # A9: 403, nothing changed
        errors, form = {}, {}
        if request.httprequest.method == 'POST':
            form = self._my_details_form('company', post)
            errors = customer._portal_update_company_details(form)
            if not errors:
                return request.redirect('/my/details?saved=company')
        return self._render_my_details(
            'customer_portal.portal_my_details_company',
            {
                'page_name': 'cp_details_company',
                'customer': customer.sudo(),
                'can_edit_vat': customer.sudo().can_edit_vat(),
                'errors': errors,
                'form': form,
            },
        )

    @http.route(
        ['/my/details/address/new', '/my/details/address/<int:address_id>'],
        type='http',
        auth='user',
        website=True,
        methods=['GET', 'POST'],
        sitemap=False,
    )
    def portal_my_details_address(self, address_id=None, **post):
        return self._portal_my_details_child_page('delivery', address_id, post)

    @http.route(
        ['/my/details/contact/new', '/my/details/contact/<int:contact_id>'],
        type='http',
        auth='user',
        website=True,
        methods=['GET', 'POST'],
        sitemap=False,
    )
    def portal_my_details_contact(self, contact_id=None, **post):
        return self._portal_my_details_child_page('contact', contact_id, post)

    def _portal_my_details_child_page(self, kind, child_id, post):
        """The form of a shipping address or contact person (``kind``), a new one when ``child_id`` is None;
        a POST saves it and goes back to My Details, or shows the form again with what was wrong."""
        customer = self._my_details_customer()
        request.env.user.partner_id._check_portal_permission('edit')  # A9: 403, nothing changed
        name = DETAILS_CHILD_NAMES[kind]
        Partner = request.env['res.partner'].sudo()
        child = self._my_details_child(customer, kind, child_id) if child_id is not None else Partner
        errors, form = {}, {}
        if request.httprequest.method == 'POST':
            form = self._my_details_form(kind, post)
            child, errors = customer._portal_save_details(kind, child, form)
            if not errors:
                return request.redirect(f'/my/details?saved={name}')
        values = {'page_name': f'cp_details_{name}', 'customer': customer.sudo(), name: child, 'errors': errors}
        if kind == 'contact':
            values['can_edit_email'] = not child or customer._portal_can_edit_email(child)
        return self._render_my_details(f'customer_portal.portal_my_details_{name}', {**values, 'form': form})

    @http.route(
        ['/my/details/address/<int:address_id>/archive', '/my/details/contact/<int:contact_id>/archive'],
        type='http',
        auth='user',
        website=True,
        methods=['POST'],
        sitemap=False,
    )
    def portal_my_details_archive(self, address_id=None, contact_id=None, **kw):
        customer = self._my_details_customer()
        request.env.user.partner_id._check_portal_permission('edit')  # A9: 403, nothing changed
        kind = 'delivery' if address_id is not None else 'contact'
        child = self._my_details_child(customer, kind, address_id if address_id is not None else contact_id)
        errors = customer._portal_archive_details_child(kind, child)
        if not errors:
            return request.redirect(f'/my/details?saved={DETAILS_CHILD_NAMES[kind]}_archived')
        return self._render_my_details(
            'customer_portal.portal_my_details_overview',
            {
                'page_name': 'cp_details',
                'customer': customer.sudo(),
                'addresses': customer._portal_get_details_children('delivery'),
                'contacts': customer._portal_get_details_children('contact'),
                'errors': errors,
                'saved': None,
            },
        )

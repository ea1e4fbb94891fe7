# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from werkzeug.urls import url_encode

from odoo import fields, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from odoo.addons.customer_portal.controllers.portal_list import _parse_page
from odoo.addons.helpdesk_mgmt.controllers import main, myaccount

from ..models.helpdesk_ticket import MAX_UPLOADS

# The keys of helpdesk_mgmt's searchbar_sortings: another key is a KeyError (a 500) there.
TICKET_SORTINGS = ('date', 'name', 'stage', 'update')
TICKET_SEARCH_IN = ('all', 'number', 'name')
TICKET_TABS = ('open', 'closed')
MAX_ID = 2**31 - 1  # a larger id is no record; PostgreSQL would refuse it as an integer


def tickets_enabled(company):
    """May the customers of ``company`` raise and follow support tickets (P17)? Internal users keep
    helpdesk_mgmt's pages."""
    # P18: the core's one answer (the company's switch), and the contact may view documents (A9).
    user = request.env.user
    return user._is_internal() or user.partner_id._is_portal_section_visible('tickets', company)


def open_ticket_count():
    """The open tickets of the signed-in customer's company (0 while the feature is off)."""
    Ticket = request.env['helpdesk.ticket']
    if not tickets_enabled(request.env.user.company_id) or not Ticket.has_access('read'):
        return 0
    partner = request.env.user.partner_id
    return Ticket.search_count([*Ticket._get_portal_ticket_domain(partner), *Ticket._get_portal_tab_domain('open')])


def _parse_id(value):
    """An id sent by a form or a URL (ASCII digits, in the range of the database's integers), or None."""
    value = str(value or '')
    if value.isascii() and value.isdigit() and len(value) <= 10 and 0 < int(value) <= MAX_ID:
        return int(value)
    return None


def _parse_datetime(value):
    try:
        return value if value and fields.Datetime.to_datetime(value) else None
    except ValueError:
        return None


class CustomerPortalHelpdesk(myaccount.CustomerPortalHelpdesk):
    """Support tickets (P17, C17) on helpdesk_mgmt's own pages, /my/tickets and /my/ticket/<id>: refused (404)
    unless the customer's company lets its customers raise tickets; the list with Open / Closed tabs and the
    last reply of each ticket; the document a ticket is about on its page."""

    def _prepare_home_portal_values(self, counters):
        # EXTENDS helpdesk_mgmt: the open tickets of the customer's company; none while the feature is off.
        values = super()._prepare_home_portal_values(counters)
        if 'ticket_count' in counters and not request.env.user._is_internal():
            values['ticket_count'] = open_ticket_count()
        return values

    @http.route()
    def portal_my_tickets(
        self,
        page=1,
        date_begin=None,
        date_end=None,
        sortby=None,
        filterby=None,
        search=None,
        search_in=None,
        groupby=None,
        tab=None,
        **kw,
    ):
        # EXTENDS helpdesk_mgmt: 404 while the company does not let its customers raise tickets; the Open /
        # Closed tab (open by default); a page, sorting, search field or date that is none falls back to the
        # default instead of a 500.
        if not tickets_enabled(request.env.user.company_id):
            raise request.not_found()
        tab = tab if tab in (*TICKET_TABS, 'all') else 'open'
        if tab != 'all':
            request.update_context(portal_ticket_tab=tab)
        response = super().portal_my_tickets(
            page=_parse_page(page),
            date_begin=_parse_datetime(date_begin),
            date_end=_parse_datetime(date_end),
            sortby=sortby if sortby in TICKET_SORTINGS else None,
            filterby=filterby if isinstance(filterby, str) else None,
            search=search if isinstance(search, str) and '\x00' not in search else None,
            search_in=search_in if search_in in TICKET_SEARCH_IN else None,
            groupby=groupby if groupby in self._ticket_get_searchbar_groupby() else None,
            **kw,
        )
        qcontext = getattr(response, 'qcontext', None)
        if qcontext is not None:
            keep = {
                key: qcontext.get(key)
                for key in ('sortby', 'search', 'search_in', 'groupby')
                if qcontext.get(key) and qcontext.get(key) != 'none'
            }
            qcontext.update(
                portal_ticket_tab=tab,
                portal_ticket_tabs=[
                    (key, label, f'/my/tickets?{url_encode({**keep, "tab": key})}')
                    for key, label in (
                        ('open', request.env._("Open")),
                        ('closed', request.env._("Closed")),
                    )
                ],
            )
            # The list's pager keeps the tab (helpdesk_mgmt builds its links inside its route).
            pager = qcontext.get('pager') or {}
            if tab != 'open':
                links = [link for link in pager.values() if isinstance(link, dict) and link.get('url')]
                for link in [*links, *pager.get('pages', [])]:
                    link['url'] += ('&' if '?' in link['url'] else '?') + url_encode({'tab': tab})
        return response

    @http.route()
    def portal_my_ticket(self, ticket_id, access_token=None, **kw):
        # EXTENDS helpdesk_mgmt: 404 while the company (the customer's, and the ticket's for a link with its
        # access token) does not let its customers raise tickets.
        if not tickets_enabled(request.env.user.company_id) or ticket_id > MAX_ID:
            raise request.not_found()
        ticket_sudo = request.env['helpdesk.ticket'].sudo().browse(ticket_id).exists()
        if ticket_sudo and not tickets_enabled(ticket_sudo.company_id):
            raise request.not_found()
        return super().portal_my_ticket(ticket_id, access_token=access_token, **kw)

    def _ticket_get_page_view_values(self, ticket, access_token, **kwargs):
        # EXTENDS helpdesk_mgmt: the invoice or order the ticket is about, linked to its page.
        values = super()._ticket_get_page_view_values(ticket, access_token, **kwargs)
        document = ticket.sudo().portal_document_ref
        if document:
            path = '/my/invoices/%s' if document._name == 'account.move' else '/my/orders/%s'
            values.update(portal_ticket_document=document, portal_ticket_document_url=path % document.id)
        return values


class HelpdeskTicketController(main.HelpdeskTicketController):
    """helpdesk_mgmt's new-ticket form, its submission and its close button: refused (404) unless the
    customer's company lets its customers raise tickets; every value checked on the server (C17)."""

    @http.route()
    def support_ticket_close(self, **kw):
        # EXTENDS helpdesk_mgmt: 404 while the feature is off, and for a ticket the caller may not read
        # (helpdesk_mgmt closes any ticket id it is sent, as superuser), or a malformed id (a 500 there);
        # closes on a POST only (CSRF-checked).
        ticket_id, stage_id = _parse_id(kw.get('ticket_id')), _parse_id(kw.get('stage_id'))
        if not tickets_enabled(request.env.user.company_id) or not ticket_id or not stage_id:
            raise request.not_found()
        ticket = request.env['helpdesk.ticket'].search([('id', '=', ticket_id)])
        if not ticket or not tickets_enabled(ticket.sudo().company_id):
            raise request.not_found()
        # A GET (helpdesk_mgmt's form, or a link or image on any site) changes nothing: only the ticket page's
        # form, a POST with its CSRF token, closes the ticket.
        if request.httprequest.method != 'POST':
            return request.redirect(f'/my/ticket/{ticket_id}')
        request.env.user.partner_id._check_portal_permission('tickets')  # A9: 403, the ticket stays open
        return super().support_ticket_close(ticket_id=str(ticket_id), stage_id=str(stage_id))

    @http.route()
    def create_new_ticket(self, **kw):
        # EXTENDS helpdesk_mgmt: 404 while the feature is off.
        if not tickets_enabled(request.env.user.company_id):
            raise request.not_found()
        request.env.user.partner_id._check_portal_permission('tickets')  # A9: 403
        return super().create_new_ticket(**kw)

    def _get_create_new_ticket_values(self, **kw):
        # EXTENDS helpdesk_mgmt: the customer's invoices and orders to choose the related document from, the
        # attachment rules, and the values and error of a submission refused.
        values = super()._get_create_new_ticket_values(**kw)
        moves, orders = request.env['helpdesk.ticket']._get_portal_document_choices(request.env.user.partner_id)
        company = request.env.user.company_id.sudo()
        values.update(
            portal_document_moves=moves,
            portal_document_orders=orders,
            portal_upload_extensions=request.env['helpdesk.ticket']._get_portal_upload_extensions(),
            portal_upload_rules=request.env._(
                "Up to %(count)s files of %(size)s MB at most each: %(extensions)s.",
                count=MAX_UPLOADS,
                size=company.portal_ticket_upload_max_mb or 10,
                extensions=', '.join(request.env['helpdesk.ticket']._get_portal_upload_extensions()),
            ),
            portal_ticket_error=kw.get('portal_ticket_error'),
            portal_ticket_form=kw.get('portal_ticket_form') or {},
        )
        return values

    @http.route()
    def submit_ticket(self, **kw):
        # EXTENDS helpdesk_mgmt, without calling it: it stores every uploaded file as sent (any kind, any size,
        # the browser's file name) and int()s the form's ids (a 500 on a malformed one). Here every value is
        # checked first; a submission refused stores nothing and shows the form again with the reason.
        if not tickets_enabled(request.env.user.company_id):
            raise request.not_found()
        request.env.user.partner_id._check_portal_permission('tickets')  # A9: 403, no ticket, no attachment
        Ticket = request.env['helpdesk.ticket']
        partner = request.env.user.partner_id
        form = {key: kw.get(key) for key in ('subject', 'description', 'category', 'team', 'document')}
        try:
            subject = (kw.get('subject') or '').strip()
            description = (kw.get('description') or '').strip()
            if not subject or not description:
                raise ValidationError(request.env._("Give the ticket a subject and a description."))
            category = self._get_portal_submitted_category(kw.get('category'))
            team = self._get_portal_submitted_team(kw.get('team'))
            document = Ticket._parse_portal_document(kw.get('document'), partner)
            company = category.company_id or request.env.company
            attachments = Ticket._check_portal_uploads(self._get_portal_uploaded_files(company), company)
            vals = self._prepare_submit_ticket_vals(
                subject=subject[:250],
                description=description,
                category=str(category.id or ''),
                team=str(team.id or ''),
            )
            vals['portal_document_ref'] = f'{document._name},{document.id}' if document else False
            ticket = Ticket._create_from_portal(vals, attachments, partner)
        except (UserError, ValidationError) as error:
            values = self._get_create_new_ticket_values(portal_ticket_error=error.args[0], portal_ticket_form=form)
            return request.render('helpdesk_mgmt.portal_create_ticket', values)
        return request.redirect(f'/my/ticket/{ticket.id}')

    def _prepare_submit_ticket_vals(self, **kw):
        # EXTENDS helpdesk_mgmt: a ticket whose customer did not choose a team goes to the company's first
        # support team shown on the portal, in its first stage.
        vals = super()._prepare_submit_ticket_vals(**kw)
        if not vals.get('team_id'):
            team = (
                request.env['helpdesk.ticket.team']
                .sudo()
                .search(
                    [('show_in_portal', '=', True), ('company_id', 'in', (vals['company_id'], False))],
                    order='sequence, id',
                    limit=1,
                )
            )
            if team:
                vals.update(team_id=team.id, stage_id=team._get_applicable_stages()[:1].id)
        return vals

    def _get_portal_submitted_category(self, value):
        """The category the form sent: one of those the portal offers, else ValidationError."""
        Category = request.env['helpdesk.ticket.category']
        if not value:
            if request.env.company.helpdesk_mgmt_portal_select_category and self._get_categories():
                if request.env.company.helpdesk_mgmt_portal_category_id_required:
                    raise ValidationError(request.env._("Choose a category."))
            return Category
        category_id = _parse_id(value)
        category = (
            Category.search([('id', '=', category_id), ('active', '=', True), ('show_in_portal', '=', True)])
            if category_id
            else Category
        )
        if not category:
            raise ValidationError(request.env._("Choose one of the categories offered."))
        return category

    def _get_portal_submitted_team(self, value):
        """The team the form sent: one of those the portal offers (none when it offers none)."""
        teams = self._get_teams()
        if not value or not teams:
            return request.env['helpdesk.ticket.team']
        team = teams.filtered(lambda team: team.id == _parse_id(value))
        if not team:
            raise ValidationError(request.env._("Choose one of the teams offered."))
        return team

    def _get_portal_uploaded_files(self, company):
        """The files of the form, as (file name, bytes) pairs; a file larger than the company's cap is read
        only up to one byte over it (enough to refuse it)."""
        limit = (company.sudo().portal_ticket_upload_max_mb or 10) * 1024 * 1024 + 1
        files = []
        for upload in request.httprequest.files.getlist('attachment'):
            if upload.filename:
                files.append((re.sub(r'[\x00-\x1f]', '', upload.filename), upload.read(limit)))
        return files

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.customer_portal.controllers.portal_list import _drop_unknown_keys, _parse_page
from odoo.addons.customer_portal.controllers.stock_route_guards import _parse_form_record_id
from odoo.addons.hr_timesheet.controllers.portal import TimesheetCustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.addons.project.controllers.portal import ProjectCustomerPortal
from odoo.addons.sale_timesheet.controllers.portal import PortalProjectAccount

MAX_ID = 2**31 - 1  # a larger id in the URL is no record; PostgreSQL would refuse it as an integer
ENTRIES_PER_PAGE = 50
# The keys of hr_timesheet's filters of /my/timesheets, built inside its route (no method gives them).
TIMESHEET_FILTERS = (
    'all',
    'last_year',
    'last_quarter',
    'last_month',
    'last_week',
    'today',
    'week',
    'month',
    'quarter',
    'year',
)


def timesheets_enabled(company):
    """Does ``company`` show its customers their projects and timesheets (P16)? Internal users keep stock's
    pages."""
    # P18: the core's one answer (the company's switch), and the contact may view documents (A9).
    user = request.env.user
    return user._is_internal() or user.partner_id._is_portal_section_visible('projects', company)


def _check_enabled(*companies):
    """404 unless the user's company, and each company given (of the record a link opens), shows projects."""
    for company in (request.env.user.company_id, *companies):
        if company and not timesheets_enabled(company):
            raise request.not_found()


class ProjectPortal(ProjectCustomerPortal):
    """Stock's project portal (/my/projects, /my/tasks) refused (404) unless the company shows projects and
    timesheets (P16, C10); the hours page of a project (/my/projects/<id>/hours) with its tasks' logged, billed
    and unbilled hours, its time entries and their client approval, and its comments."""

    def _prepare_home_portal_values(self, counters):
        # EXTENDS project: no project or task to count while the feature is off.
        values = super()._prepare_home_portal_values(counters)
        if not timesheets_enabled(request.env.user.company_id):
            for key in ('project_count', 'task_count'):
                if key in counters:
                    values[key] = 0
        return values

    @http.route()
    def portal_my_projects(self, page=1, **kw):
        # EXTENDS project: 404 while the company does not show projects (P16); an unknown sorting is the
        # default one (a 500 there).
        _check_enabled()
        _drop_unknown_keys(kw, sortby=self._prepare_searchbar_sortings())
        return super().portal_my_projects(page=_parse_page(page), **kw)

    @http.route()
    def portal_my_project(self, project_id=None, access_token=None, **kw):
        # EXTENDS project: 404 while the company (the user's, the project's) does not show projects (P16); an
        # unknown sorting or grouping of its tasks is the default one (a 500 there).
        self._check_project_enabled(project_id)
        self._drop_unknown_task_keys(kw, project=request.env['project.project'].sudo().browse(int(project_id)).exists())
        return super().portal_my_project(project_id=project_id, access_token=access_token, **kw)

    def _project_get_page_view_values(self, project, access_token, *args, **kwargs):
        # EXTENDS project: the link to the project's hours page, for the project's customer (P16).
        values = super()._project_get_page_view_values(project, access_token, *args, **kwargs)
        user = request.env.user
        values['portal_project_hours_url'] = (
            f'/my/projects/{project.id}/hours'
            if not user._is_public() and project._is_portal_timesheet_customer(user.partner_id)
            else None
        )
        return values

    @http.route()
    def render_project_backend_view(self, project_id, task_id=None):
        # EXTENDS project: 404 while the company does not show projects (P16).
        self._check_project_enabled(project_id)
        return super().render_project_backend_view(project_id, task_id=task_id)

    @http.route()
    def portal_my_project_task(self, project_id=None, task_id=None, access_token=None, **kw):
        # EXTENDS project: 404 while the company does not show projects (P16).
        self._check_project_enabled(project_id)
        return super().portal_my_project_task(project_id=project_id, task_id=task_id, access_token=access_token, **kw)

    @http.route()
    def portal_my_project_subtasks(self, project_id, task_id, **kw):
        # EXTENDS project: 404 while the company does not show projects (P16).
        self._check_project_enabled(project_id)
        return super().portal_my_project_subtasks(project_id, task_id, **kw)

    @http.route()
    def portal_my_project_recurrent_tasks(self, project_id, task_id, **kw):
        # EXTENDS project: 404 while the company does not show projects (P16).
        self._check_project_enabled(project_id)
        return super().portal_my_project_recurrent_tasks(project_id, task_id, **kw)

    @http.route()
    def portal_my_tasks(self, page=1, **kw):
        # EXTENDS project: 404 while the company does not show projects (P16); an unknown sorting or
        # grouping is the default one (a 500 there).
        _check_enabled()
        self._drop_unknown_task_keys(kw)
        return super().portal_my_tasks(page=_parse_page(page), **kw)

    def _drop_unknown_task_keys(self, kw, project=False):
        # The keys of the task list of ``project`` (a record, sudo; none: /my/tasks), milestones allowed: the
        # widest set; stock itself drops the milestone ones when there are none.
        return _drop_unknown_keys(
            kw,
            sortby=self._task_get_searchbar_sortings(True, project),
            groupby=self._task_get_searchbar_groupby(True, project),
        )

    @http.route()
    def portal_my_task(self, task_id, **kw):
        # EXTENDS project: 404 while the company (the user's, the task's) does not show projects (P16).
        if task_id > MAX_ID:
            raise request.not_found()
        _check_enabled(request.env['project.task'].sudo().browse(task_id).exists().company_id)
        return super().portal_my_task(task_id, **kw)

    def _check_project_enabled(self, project_id):
        if not project_id or int(project_id) > MAX_ID:
            raise request.not_found()
        _check_enabled(request.env['project.project'].sudo().browse(int(project_id)).exists().company_id)

    # -- the hours page (P16) ------------------------------------------

    def _get_portal_hours_project(self, project_id):
        """The project whose hours the signed-in customer may see (sudo), or 404: the feature is on, the
        customer reads the project (stock's rules) and is a contact of the project's customer company."""
        self._check_project_enabled(project_id)
        try:
            project_sudo = self._document_check_access('project.project', project_id)
        except (AccessError, MissingError):
            raise request.not_found() from None
        if not project_sudo._is_portal_timesheet_customer(request.env.user.partner_id):
            raise request.not_found()
        return project_sudo

    @http.route(
        ['/my/projects/<int:project_id>/hours', '/my/projects/<int:project_id>/hours/page/<int:page>'],
        type='http',
        auth='user',
        methods=['GET'],
        website=True,
    )
    def portal_my_project_hours(self, project_id, page=1, **kw):
        """A project's tasks with their logged, billed and unbilled hours, its time entries with their billing
        status and client approval, and its comments (P16, C10)."""
        project_sudo = self._get_portal_hours_project(project_id)
        Line = request.env['account.analytic.line'].sudo()
        domain = [('project_id', '=', project_sudo.id)]
        pager = portal_pager(
            url=f'/my/projects/{project_sudo.id}/hours',
            total=Line.search_count(domain),
            page=_parse_page(page),
            step=ENTRIES_PER_PAGE,
        )
        # Awaiting approval first, then the newest.
        entries = Line.search_fetch(
            domain,
            [
                'date',
                'employee_id',
                'task_id',
                'name',
                'unit_amount',
                'portal_approval_state',
                'portal_decline_reason',
                'timesheet_invoice_type',
                'timesheet_invoice_id',
            ],
            order='portal_approval_state desc, date desc, id desc',
            limit=ENTRIES_PER_PAGE,
            offset=pager['offset'],
        )
        entries.employee_id.fetch(['name'])
        entries.timesheet_invoice_id.fetch(['state', 'payment_state'])
        hours_by_task = project_sudo._get_portal_hours_by_task()
        tasks = request.env['project.task'].sudo().browse({task.id for task in hours_by_task if task}).sorted('id')
        to_approve = Line.search_count(Line._get_portal_approvable_domain(request.env.user.partner_id, project_sudo))
        values = self._prepare_portal_layout_values()
        values.update(
            {
                'page_name': 'project_hours',
                'project': project_sudo,
                'entries': entries,
                'pager': pager,
                'hours_by_task': hours_by_task,
                'hours_tasks': tasks,
                'hours_total': {
                    key: sum(totals[key] for totals in hours_by_task.values())
                    for key in ('logged', 'billed', 'unbilled')
                },
                'billing_labels': Line._get_portal_billing_labels(),
                'approval_labels': dict(Line._fields['portal_approval_state']._description_selection(request.env)),
                'portal_approval_count': to_approve,
                'portal_approval_text': self._get_portal_approval_text(to_approve),
                'portal_hours_message': request.session.pop('portal_hours_message', None),
                'project_token': project_sudo._portal_ensure_token(),
            }
        )
        return request.render('customer_portal_timesheet.portal_project_hours', values)

    @staticmethod
    def _get_portal_approval_text(count):
        """ "N time entries awaiting your approval", with its real plural."""
        _ = request.env._
        if count == 1:
            return _("1 time entry awaiting your approval")
        return _("%(count)s time entries awaiting your approval", count=count)

    @http.route(
        '/my/projects/<int:project_id>/hours/<any(approve,decline):decision>',
        type='http',
        auth='user',
        methods=['POST'],
        website=True,
    )
    def portal_my_project_hours_decide(self, project_id, decision, line_ids=None, reason=None, **kw):
        """The customer approves or declines (with a reason) the selected time entries of the project (P16)."""
        project_sudo = self._get_portal_hours_project(project_id)
        request.env.user.partner_id._check_portal_permission('approve')  # A9: 403, nothing decided
        ids = request.httprequest.form.getlist('line_ids')
        parsed = [_parse_form_record_id(value) for value in ids]
        _ = request.env._
        Line = request.env['account.analytic.line'].sudo()
        if None in parsed:
            message = ('danger', _("Some of the selected time entries are not yours to approve. Nothing was changed."))
        else:
            try:
                in_project = Line.search_count([('id', 'in', parsed), ('project_id', '=', project_sudo.id)])
                if in_project != len(set(parsed)):
                    raise UserError(
                        _("Some of the selected time entries are not yours to approve. Nothing was changed.")
                    )
                decided = Line._portal_decide(
                    set(parsed),
                    request.env.user.partner_id,
                    decision == 'approve',
                    reason=reason if isinstance(reason, str) else None,
                )
            except UserError as error:
                message = ('danger', error.args[0])
            else:
                message = ('success', self._get_portal_decision_text(decision, len(decided), len(set(parsed))))
        request.session['portal_hours_message'] = message
        return request.redirect(f'/my/projects/{project_sudo.id}/hours')

    @staticmethod
    def _get_portal_decision_text(decision, count, asked):
        _ = request.env._
        if not count:
            return _("These time entries were already approved or declined. Nothing was changed.")
        if decision == 'approve':
            text = _("1 time entry approved.") if count == 1 else _("%(count)s time entries approved.", count=count)
        else:
            text = _("1 time entry declined.") if count == 1 else _("%(count)s time entries declined.", count=count)
        if count < asked:
            text += ' ' + _("The others were already approved or declined.")
        return text


class TimesheetPortal(TimesheetCustomerPortal):
    """/my/timesheets refused (404) unless the company shows projects and timesheets (P16)."""

    def _prepare_home_portal_values(self, counters):
        # EXTENDS hr_timesheet: no timesheet to count while the feature is off.
        values = super()._prepare_home_portal_values(counters)
        if 'timesheet_count' in counters and not timesheets_enabled(request.env.user.company_id):
            values['timesheet_count'] = 0
        return values

    @http.route()
    def portal_my_timesheets(self, *args, page=1, **kw):
        # EXTENDS hr_timesheet: 404 while the company does not show projects and timesheets (P16); an unknown
        # sorting, filter, grouping or parent task is the default one (a 500 there).
        _check_enabled()
        _drop_unknown_keys(
            kw,
            sortby=self._get_searchbar_sortings(),
            filterby=TIMESHEET_FILTERS,
            groupby=self._get_searchbar_groupby(),
        )
        if 'parent_task_id' in kw and not _parse_form_record_id(kw['parent_task_id']):
            del kw['parent_task_id']
        return super().portal_my_timesheets(*args, page=_parse_page(page), **kw)


class ProjectAccountPortal(PortalProjectAccount):
    @http.route()
    def portal_my_tasks_invoices(self, task_id=None, **kw):
        # EXTENDS sale_timesheet: 404 while the company does not show projects and timesheets (P16), and for a
        # task id that is none (the route takes any text, which reached SQL: a 500).
        _check_enabled()
        task_id = _parse_form_record_id(task_id)
        if not task_id:
            raise request.not_found()
        return super().portal_my_tasks_invoices(task_id=task_id, **kw)

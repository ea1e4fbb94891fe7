# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.http import request

from odoo.addons.customer_portal.controllers import home

from .project import ProjectPortal, timesheets_enabled

PROJECT_COUNTERS = ['project_count', 'task_count', 'timesheet_count']


class PortalAccount(home.PortalAccount):
    def _get_disabled_portal_counters(self):
        # EXTENDS customer_portal: the Projects, Tasks and Timesheets cards are not rendered while projects and
        # timesheets are off (P16).
        disabled = super()._get_disabled_portal_counters()
        return disabled if timesheets_enabled(request.env.user.company_id) else [*disabled, *PROJECT_COUNTERS]

    @http.route()
    def home(self, **kw):
        # EXTENDS customer_portal: whether the project cards may be rendered at all, and "N time entries
        # awaiting your approval" with a link to the project that has the oldest of them (P16, C1).
        response = super().home(**kw)
        if getattr(response, 'qcontext', None) is None:
            return response
        user = request.env.user
        enabled = timesheets_enabled(user.company_id)
        response.qcontext['portal_timesheets_enabled'] = enabled
        if enabled and user._is_portal():
            Line = request.env['account.analytic.line'].sudo()
            groups = Line._read_group(
                Line._get_portal_approvable_domain(user.partner_id), ['project_id'], ['__count'], order='project_id'
            )
            count = sum(group_count for _project, group_count in groups)
            if count:
                response.qcontext.update(
                    portal_approval_text=ProjectPortal._get_portal_approval_text(count),
                    portal_approval_url=f'/my/projects/{groups[0][0].id}/hours' if len(groups) == 1 else '/my/projects',
                )
        return response

import re
from datetime import date

from odoo import _, fields, http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.account.controllers import portal
from odoo.addons.customer_portal.report.report_portal_statement import PORTAL_STATEMENT_PAGE_MAX_LINES

STATEMENT_PERIODS = ('this_month', 'last_month', 'this_quarter', 'this_year', 'custom')
STATEMENT_FORM_DATE_RE = re.compile(r'[0-9]{4}-[0-9]{2}-[0-9]{2}')  # ASCII digits only, as the statement reads them


class PortalAccount(portal.PortalAccount):
    """The statement of account, /my/statement (C5): the page, its PDF and HTML report.
    `_get_portal_customer` lives in controllers/invoices.py."""

    @http.route(['/my/statement'], type='http', auth='user', website=True, sitemap=False)
    def portal_my_statement(
        self, period='this_month', date_from=None, date_to=None, report_type=None, download=None, **kw
    ):
        # sudo: a portal user reads neither journal items nor their company's contacts; the statement
        # is always the caller's own company's (never a parameter).
        customer_sudo = self._get_portal_customer().sudo()
        company = request.env.user.company_id
        statement_report_sudo = request.env['report.customer_portal.report_portal_statement'].sudo()
        period = period if isinstance(period, str) and period in STATEMENT_PERIODS else None
        error = None
        statement = None
        try:
            if period is None:
                raise UserError(_("Choose a period for the statement."))
            date_from, date_to = statement_report_sudo._get_period(
                period,
                date_from if isinstance(date_from, str) else None,
                date_to if isinstance(date_to, str) else None,
            )
        except UserError as e:
            error = e.args[0]
        if not error and report_type in ('pdf', 'html'):
            return self._show_statement_report(customer_sudo, company, date_from, date_to, report_type, download)
        if not error:
            statement = statement_report_sudo._get_statement(
                customer_sudo, date_from, date_to, company=company, max_lines=PORTAL_STATEMENT_PAGE_MAX_LINES
            )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                'page_name': 'statement',
                'statement': statement,
                'statement_error': error,
                'period': period or 'custom',
                'date_from': self._statement_form_date(date_from),
                'date_to': self._statement_form_date(date_to),
                'statement_periods': self._get_statement_periods(),
            }
        )
        return request.render('customer_portal.portal_my_statement', values)

    def _statement_form_date(self, value):
        """The date to show back in the form: only something that looks like a date is echoed."""
        if isinstance(value, date):
            return value.isoformat()
        return value if isinstance(value, str) and STATEMENT_FORM_DATE_RE.fullmatch(value) else ''

    def _get_statement_periods(self):
        return [
            ('this_month', _("This Month")),
            ('last_month', _("Last Month")),
            ('this_quarter', _("This Quarter")),
            ('this_year', _("This Year")),
            ('custom', _("Custom")),
        ]

    def _show_statement_report(self, customer_sudo, company, date_from, date_to, report_type, download):
        data = {
            'date_from': fields.Date.to_string(date_from),
            'date_to': fields.Date.to_string(date_to),
            'company_id': company.id,
        }
        # sudo: portal users cannot read report actions; the data is the caller's own, as above.
        report_sudo = request.env['ir.actions.report'].sudo()
        report_ref = 'customer_portal.action_report_portal_statement'
        if report_type == 'html':
            content = report_sudo._render_qweb_html(report_ref, customer_sudo.ids, data=data)[0]
            return request.make_response(content, [('Content-Type', 'text/html; charset=utf-8')])
        content = report_sudo._render_qweb_pdf(report_ref, customer_sudo.ids, data=data)[0]
        filename = _("Statement %(from)s %(to)s.pdf", **{'from': data['date_from'], 'to': data['date_to']})
        disposition = 'attachment' if download else 'inline'
        return request.make_response(
            content,
            [
                ('Content-Type', 'application/pdf'),
                ('Content-Length', len(content)),
                ('Content-Disposition', http.content_disposition(filename, disposition_type=disposition)),
                ('X-Content-Type-Options', 'nosniff'),
            ],
        )

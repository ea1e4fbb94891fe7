# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import fields, models


class ProjectProject(models.Model):
    _inherit = 'project.project'

    portal_timesheet_approval = fields.Boolean(
        string="Time Entries Need Client Approval",
        help="Staff submit the time entries to the customer, who approves or declines them on the portal; an "
        "entry is invoiced once approved.",
    )

    def _is_portal_timesheet_customer(self, partner):
        """Is ``partner`` a contact of this project's customer company (who may see its hours, P16)?"""
        self.ensure_one()
        customer = self.sudo().partner_id.commercial_partner_id
        return bool(customer) and customer == partner.commercial_partner_id

    def _get_portal_hours_by_task(self):
        """Logged, billed and unbilled hours of each task of the project (key: the task, or an empty task for
        the entries without one), as sums of its time entries: billed, linked to an invoice that is not
        cancelled (sale_timesheet's ``_is_not_billed``); unbilled, billed on timesheets and not invoiced yet.
        One query, whatever the number of entries. Sudo: the caller checked its access to the project."""
        self.ensure_one()
        Line = self.env['account.analytic.line'].sudo()
        hours = defaultdict(lambda: {'logged': 0.0, 'billed': 0.0, 'unbilled': 0.0})
        groups = Line._read_group(
            [('project_id', '=', self.id)],
            ['task_id', 'timesheet_invoice_type', 'timesheet_invoice_id'],
            ['unit_amount:sum'],
        )
        for task, invoice_type, invoice, amount in groups:
            totals = hours[task]
            totals['logged'] += amount
            billed = invoice and not (invoice.state == 'cancel' and invoice.payment_state != 'invoicing_legacy')
            if billed:
                totals['billed'] += amount
            elif invoice_type == 'billable_time':
                totals['unbilled'] += amount
        return dict(hours)

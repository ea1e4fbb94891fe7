# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, fields
from odoo.tests import TransactionCase

from odoo.addons.customer_portal.tests.common import PortalHttpCase, PortalUserCommon


class TimesheetCommon(PortalUserCommon):
    """Two customer companies, each with a portal contact; projects billed on timesheets through a confirmed
    order (sale_timesheet's own invoicing); projects and timesheets shown (P16) unless a test turns them off."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.portal_view_timesheets = True
        cls._setup_two_customers("Acme Services", 'ts')
        cls.employee = cls.env['hr.employee'].create({'name': "Dana Developer", 'hourly_cost': 30.0})
        cls.product = cls.env['product.product'].create(
            {
                'name': "Consulting Hour",
                'type': 'service',
                'service_type': 'timesheet',
                'invoice_policy': 'delivery',
                'list_price': 100.0,
                'uom_id': cls.env.ref('uom.product_uom_hour').id,
                'uom_po_id': cls.env.ref('uom.product_uom_hour').id,
                'taxes_id': [Command.clear()],
            }
        )

    @classmethod
    def _new_project(cls, partner, name, approval=True, tasks=("Design", "Build")):
        """A project of ``partner`` shared with the portal, billed on the time of a confirmed order's line,
        with ``tasks`` billed on that line too."""
        order = cls.env['sale.order'].create(
            {
                'partner_id': partner.id,
                'order_line': [Command.create({'product_id': cls.product.id, 'product_uom_qty': 100})],
            }
        )
        order.action_confirm()
        line = order.order_line
        project = cls.env['project.project'].create(
            {
                'name': name,
                'partner_id': partner.id,
                'privacy_visibility': 'portal',
                'allow_timesheets': True,
                'allow_billable': True,
                'sale_line_id': line.id,
                'portal_timesheet_approval': approval,
                'task_ids': [
                    Command.create({'name': task, 'partner_id': partner.id, 'sale_line_id': line.id}) for task in tasks
                ],
            }
        )
        return project

    @classmethod
    def _log(cls, task, hours, state='draft', days_ago=1, name="Work"):
        """A time entry of ``hours`` on ``task``, in approval ``state``."""
        line = cls.env['account.analytic.line'].create(
            {
                'name': name,
                'project_id': task.project_id.id,
                'task_id': task.id,
                'employee_id': cls.employee.id,
                'unit_amount': hours,
                'date': fields.Date.subtract(fields.Date.today(), days=days_ago),
            }
        )
        if state != 'draft':
            line.write({'portal_approval_state': state})
        return line


class TimesheetCase(TimesheetCommon, TransactionCase):
    """The timesheet data, for the models' tests."""


class TimesheetHttpCase(TimesheetCommon, PortalHttpCase):
    """The timesheet data, for the routes' tests."""

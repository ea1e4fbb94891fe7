# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.osv import expression


class SaleOrderLine(models.Model):
    _inherit = 'sale.order.line'

    @api.depends('analytic_line_ids.portal_approval_state', 'analytic_line_ids.project_id.portal_timesheet_approval')
    def _compute_qty_delivered(self):
        # EXTENDS sale_timesheet: the delivered quantity follows the customer's approvals (P16).
        return super()._compute_qty_delivered()

    def _timesheet_compute_delivered_quantity_domain(self):
        # EXTENDS sale_timesheet: time entries awaiting the customer's approval, declined by it, or not submitted
        # yet in a project that needs its approval are not delivered: they are invoiced once approved (P16).
        domain = super()._timesheet_compute_delivered_quantity_domain()
        return expression.AND([domain, self.env['account.analytic.line']._get_portal_invoiceable_domain()])

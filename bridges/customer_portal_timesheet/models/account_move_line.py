# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.osv import expression


class AccountMoveLine(models.Model):
    _inherit = 'account.move.line'

    @api.model
    def _timesheet_domain_get_invoiced_lines(self, sale_line_delivery):
        # EXTENDS sale_timesheet: an invoice takes only the time entries the customer approved, in a project
        # that needs its approval (P16); the others stay to invoice.
        domain = super()._timesheet_domain_get_invoiced_lines(sale_line_delivery)
        return expression.AND([domain, self.env['account.analytic.line']._get_portal_invoiceable_domain()])

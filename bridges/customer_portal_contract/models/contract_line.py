# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class ContractLine(models.Model):
    _inherit = 'contract.line'

    def _get_portal_recurrence(self):
        """How often the line is invoiced, as the customer reads it: "Every month", "Every 3 months"."""
        self.ensure_one()
        _ = self.env._
        count = self.recurring_interval or 1
        rule = self.recurring_rule_type
        if rule == 'daily':
            return _("Every day") if count == 1 else _("Every %(count)s days", count=count)
        if rule == 'weekly':
            return _("Every week") if count == 1 else _("Every %(count)s weeks", count=count)
        if rule == 'monthlylastday':
            return (
                _("Every month, on its last day")
                if count == 1
                else _("Every %(count)s months, on the last day", count=count)
            )
        if rule == 'quarterly':
            return _("Every quarter") if count == 1 else _("Every %(count)s quarters", count=count)
        if rule == 'semesterly':
            return _("Every half-year") if count == 1 else _("Every %(count)s half-years", count=count)
        if rule == 'yearly':
            return _("Every year") if count == 1 else _("Every %(count)s years", count=count)
        return _("Every month") if count == 1 else _("Every %(count)s months", count=count)

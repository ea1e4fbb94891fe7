# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""res.company, the portal sections (P18): one switch per section, and the one answer to "is section X on"
that routes, home counters and templates ask. What a contact may do is res.partner's (A9,
models/res_partner_portal_permission.py)."""

# Apart from models/res_company.py, which would pass 300 lines with it (issue 20).
# pylint: disable=consider-merging-classes-inherited

from odoo import api, fields, models

# Section -> the company's switch. One switch per section: P12, P13 and the bridges' switches are reused
# (projects P16, subscriptions P15, tickets P17, shipments); a section whose bridge is not installed is off.
PORTAL_SECTION_FIELDS = {
    'invoices': 'portal_show_invoices',
    'estimates': 'portal_show_estimates',
    'sales_orders': 'portal_show_sales_orders',
    'statements': 'portal_show_statements',
    'payments_made': 'portal_show_payments_made',
    'retainer_invoices': 'portal_show_retainer_invoices',
    'credit_notes': 'portal_display_credit_notes',
    'documents': 'portal_show_documents',
    'projects': 'portal_view_timesheets',
    'subscriptions': 'portal_view_subscriptions',
    'tickets': 'portal_allow_tickets',
    'shipments': 'portal_show_shipments',
}


class ResCompany(models.Model):
    _inherit = 'res.company'

    # On by default: stock Odoo (or the addon before P18) already shows customers these sections.
    portal_show_invoices = fields.Boolean(
        string="Show Invoices",
        default=True,
        help="Customers see their invoices, download them and pay them. Off: the invoice pages answer "
        "\"not found\" and the home shows no invoice card.",
    )
    portal_show_estimates = fields.Boolean(
        string="Show Estimates",
        default=True,
        help="Customers see the quotations (estimates) sent to them and accept or decline them.",
    )
    portal_show_statements = fields.Boolean(
        string="Show Statements", default=True, help="Customers see and download their statement of account."
    )
    portal_show_payments_made = fields.Boolean(
        string="Show Payments Made", default=True, help="Customers see the payments they made and their receipts."
    )
    portal_show_retainer_invoices = fields.Boolean(
        string="Show Retainer Invoices",
        default=True,
        help="Customers see their retainer (down payment) invoices and pay them.",
    )
    portal_show_documents = fields.Boolean(
        string="Show Documents",
        default=True,
        help="Customers see the documents shared with them and download them. Uploading is governed by "
        "\"Allow uploads and editing their information\".",
    )

    @api.model
    def _get_portal_section_fields(self):
        """Section -> the company's switch, for the sections whose switch exists in this database."""
        return {section: field for section, field in PORTAL_SECTION_FIELDS.items() if field in self._fields}

    def _is_portal_section_enabled(self, section):
        """Whether this company shows its customers the portal section ``section`` (a key of
        PORTAL_SECTION_FIELDS). A section whose bridge is not installed is off."""
        self.ensure_one()
        if section not in PORTAL_SECTION_FIELDS:
            raise ValueError(f"Unknown portal section: {section!r}")
        field = self._get_portal_section_fields().get(section)
        # sudo: a switch of the customer's company, read for a portal user.
        return bool(field) and bool(self.sudo()[field])

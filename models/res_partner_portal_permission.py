# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""res.partner, what a portal contact may do (A9): view and download, pay, approve, raise tickets, edit the
company's details, forward, upload; presets; the checks every acting route calls and the chatter log of a
change. The sections a company shows (P18) are res.company's (models/res_company_portal_section.py)."""

# Apart from models/res_partner.py, which would pass 300 lines with it (issue 20).
# pylint: disable=consider-merging-classes-inherited

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.http import request

# Permission name (the API's word) -> field of res.partner.
PORTAL_PERMISSION_FIELDS = {
    'view': 'portal_can_view',
    'pay': 'portal_can_pay',
    'approve': 'portal_can_approve',
    'tickets': 'portal_can_raise_tickets',
    'edit': 'portal_can_edit_details',
    'forward': 'portal_can_forward',
    'upload': 'portal_can_upload',
}
# Preset -> the permissions it grants (every other one is withdrawn).
PORTAL_PERMISSION_PRESETS = {
    'view': ('view',),
    'view_pay': ('view', 'pay'),
    'all': tuple(PORTAL_PERMISSION_FIELDS),
}


class ResPartner(models.Model):
    _inherit = 'res.partner'

    # Everything by default, as stock: every portal contact may do all the portal offers.
    portal_can_view = fields.Boolean(
        string="View and Download Documents",
        default=True,
        help="This contact sees the company's invoices, estimates, orders, statements, payments, credit notes, "
        "documents, projects, subscriptions, tickets and shipments in the portal and downloads them.",
    )
    portal_can_pay = fields.Boolean(
        string="Pay", default=True, help="This contact pays invoices and orders online from the portal."
    )
    portal_can_approve = fields.Boolean(
        string="Accept Estimates and Approve Time Entries",
        default=True,
        help="This contact accepts or declines estimates and approves or declines time entries in the portal.",
    )
    portal_can_raise_tickets = fields.Boolean(
        string="Raise Tickets", default=True, help="This contact raises support tickets and replies to them."
    )
    portal_can_edit_details = fields.Boolean(
        string="Edit Company Details and Contacts",
        default=True,
        help="This contact edits the company's name, addresses and phone and its contact persons in the portal.",
    )
    portal_can_forward = fields.Boolean(
        string="Forward Documents",
        default=True,
        help="This contact forwards documents to other people by email from the portal.",
    )
    portal_can_upload = fields.Boolean(
        string="Upload Documents", default=True, help="This contact uploads documents to the portal."
    )
    portal_permission_preset = fields.Selection(
        [('view', "View only"), ('view_pay', "View and pay"), ('all', "Everything"), ('custom', "Custom")],
        string="Portal Permissions",
        compute='_compute_portal_permission_preset',
        inverse='_inverse_portal_permission_preset',
        help="What this contact may do in the customer portal. Choose a preset or tick the single permissions.",
    )

    @api.depends(*PORTAL_PERMISSION_FIELDS.values())
    def _compute_portal_permission_preset(self):
        for partner in self:
            granted = set(partner._get_portal_permissions())
            partner.portal_permission_preset = next(
                (preset for preset, names in PORTAL_PERMISSION_PRESETS.items() if granted == set(names)), 'custom'
            )

    def _inverse_portal_permission_preset(self):
        for partner in self:
            values = partner._get_portal_preset_values(partner.portal_permission_preset)
            if values:
                partner.write(values)

    @api.onchange('portal_permission_preset')
    def _onchange_portal_permission_preset(self):
        values = self._get_portal_preset_values(self.portal_permission_preset)
        if values:
            self.update(values)

    @api.model
    def _get_portal_preset_values(self, preset):
        """The permission fields a preset sets, or {} for "Custom" (or no preset)."""
        names = PORTAL_PERMISSION_PRESETS.get(preset)
        if names is None:
            return {}
        return {field: name in names for name, field in PORTAL_PERMISSION_FIELDS.items()}

    def _get_portal_permissions(self):
        """The permissions (names of PORTAL_PERMISSION_FIELDS) this contact holds."""
        self.ensure_one()
        # sudo: the permissions are read for the contact acting in the portal; no other field of it.
        partner_sudo = self.sudo()
        return [name for name, field in PORTAL_PERMISSION_FIELDS.items() if partner_sudo[field]]

    # ------------------------------------------------------------
    # The API of the routes and templates
    # ------------------------------------------------------------

    def _has_portal_permission(self, permission):
        """Whether this contact may do ``permission`` (a key of PORTAL_PERMISSION_FIELDS) in the portal.
        For templates (buttons shown or not) and routes; read from the database on every request, so a
        change takes effect on the contact's next request in every open session."""
        self.ensure_one()
        field = PORTAL_PERMISSION_FIELDS.get(permission)
        if field is None:
            raise ValueError(f"Unknown portal permission: {permission!r}")
        # sudo: the contact's own permission; the portal user may read its partner anyway.
        return bool(self.sudo()[field])

    @api.model
    def _portal_user_may(self, permission):
        """Whether the current user may do ``permission`` in the portal: an internal user always may (a
        preview), a portal user as its contact's permissions say. For the models' "has to be paid / signed"
        that decide the portal's buttons. The user is the request's: the portal reads its documents as
        superuser (portal's _document_check_access), which is not who acts."""
        user = request.env.user if request and request.env.uid else self.env.user
        return not user.share or user.partner_id._has_portal_permission(permission)

    def _check_portal_permission(self, permission):
        """Raise an AccessError with a message for the customer unless this contact may do ``permission``.
        Call it first in every route that acts (before anything is written): a portal route answers 403
        with the message, a JSON route an error with it."""
        if not self._has_portal_permission(permission):
            raise AccessError(self._get_portal_permission_error(permission))

    def _get_portal_permission_error(self, permission):
        messages = {
            'view': self.env._("Your portal access does not allow you to view or download documents."),
            'pay': self.env._("Your portal access does not allow you to make payments."),
            'approve': self.env._(
                "Your portal access does not allow you to accept or decline estimates or approve time entries."
            ),
            'tickets': self.env._("Your portal access does not allow you to raise support tickets."),
            'edit': self.env._("Your portal access does not allow you to edit your company's details and contacts."),
            'forward': self.env._("Your portal access does not allow you to forward documents."),
            'upload': self.env._("Your portal access does not allow you to upload documents."),
        }
        return "%s %s" % (
            messages[permission],
            self.env._("Ask the person who manages your company's portal access to change your permissions."),
        )

    def _is_portal_section_visible(self, section, company=None):
        """Whether this contact sees the portal section ``section`` (P18 keys, see
        res.company._get_portal_section_fields): the company shows it and the contact may view documents."""
        self.ensure_one()
        company = company or self.env.user.company_id
        return company._is_portal_section_enabled(section) and self._has_portal_permission('view')

    # ------------------------------------------------------------
    # Changes: who may make them, and their log
    # ------------------------------------------------------------

    def write(self, vals):
        # EXTENDS base: a change of portal permissions is the business's (a portal user never writes its own),
        # and it is logged on the customer company's chatter with who made it.
        fields_changed = [field for field in PORTAL_PERMISSION_FIELDS.values() if field in vals]
        if not fields_changed:
            return super().write(vals)
        if self.env.user.share and not self.env.su:
            raise AccessError(self.env._("Only the business may change portal permissions."))
        before = {partner: {field: partner[field] for field in fields_changed} for partner in self}
        res = super().write(vals)
        for partner, old in before.items():
            changes = [field for field in fields_changed if old[field] != partner[field]]
            if changes:
                partner._log_portal_permission_change(changes)
        return res

    def _log_portal_permission_change(self, changed_fields):
        self.ensure_one()
        on, off = self.env._("allowed"), self.env._("not allowed")
        lines = Markup('').join(
            Markup('<li>%s: %s</li>') % (self._fields[field]._description_string(self.env), on if self[field] else off)
            for field in changed_fields
        )  # fmt: skip
        body = Markup('<p>%s</p><ul>%s</ul>') % (
            self.env._(
                "Portal permissions of %(contact)s changed by %(user)s:",
                contact=self.name or self.display_name,
                user=self.env.user.name,
            ),
            lines,
        )
        # sudo: the log is the business's record of the change, whoever may read the customer.
        self.commercial_partner_id.sudo().message_post(
            body=body, message_type='notification', subtype_xmlid='mail.mt_note'
        )

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo import api, fields, models

from .res_partner import PORTAL_PERMISSION_FIELDS, PORTAL_PERMISSION_PRESETS


class PortalWizardUser(models.TransientModel):
    _inherit = 'portal.wizard.user'

    portal_selected = fields.Boolean(
        string="Portal Access", compute='_compute_portal_selected', store=True, readonly=False
    )
    portal_selectable = fields.Boolean(compute='_compute_portal_selectable')
    portal_unselectable_reason = fields.Char(string="Why not", compute='_compute_portal_selectable')
    portal_invitation_status = fields.Char(related='partner_id.portal_invitation_status')
    # A9: what the contact may do in the portal, set here with its access (written to the contact on Save).
    portal_permission_preset = fields.Selection(
        selection=lambda self: self.env['res.partner']._fields['portal_permission_preset'].selection,
        string="Permissions",
        compute='_compute_portal_permissions',
        store=True,
        readonly=False,
    )
    portal_can_view = fields.Boolean(string="View", compute='_compute_portal_permissions', store=True, readonly=False)
    portal_can_pay = fields.Boolean(string="Pay", compute='_compute_portal_permissions', store=True, readonly=False)
    portal_can_approve = fields.Boolean(
        string="Approve", compute='_compute_portal_permissions', store=True, readonly=False
    )
    portal_can_raise_tickets = fields.Boolean(
        string="Tickets", compute='_compute_portal_permissions', store=True, readonly=False
    )
    portal_can_edit_details = fields.Boolean(
        string="Edit Details", compute='_compute_portal_permissions', store=True, readonly=False
    )
    portal_can_forward = fields.Boolean(
        string="Forward", compute='_compute_portal_permissions', store=True, readonly=False
    )
    portal_can_upload = fields.Boolean(
        string="Upload", compute='_compute_portal_permissions', store=True, readonly=False
    )

    @api.depends('partner_id')
    def _compute_portal_permissions(self):
        for line in self:
            partner = line.partner_id
            line.portal_permission_preset = partner.portal_permission_preset
            for field in PORTAL_PERMISSION_FIELDS.values():
                line[field] = partner[field]

    @api.onchange('portal_permission_preset')
    def _onchange_portal_permission_preset(self):
        self.update(self.env['res.partner']._get_portal_preset_values(self.portal_permission_preset))

    @api.onchange(*PORTAL_PERMISSION_FIELDS.values())
    def _onchange_portal_permissions(self):
        granted = {name for name, field in PORTAL_PERMISSION_FIELDS.items() if self[field]}
        self.portal_permission_preset = next(
            (preset for preset, names in PORTAL_PERMISSION_PRESETS.items() if granted == set(names)), 'custom'
        )

    def _apply_portal_permissions(self):
        """Write each line's permissions on its contact (logged on the customer's chatter when they change)."""
        for line in self:
            values = {field: line[field] for field in PORTAL_PERMISSION_FIELDS.values()}
            partner = line.partner_id
            if any(partner[field] != value for field, value in values.items()):
                partner.write(values)

    @api.depends('partner_id')
    def _compute_portal_selected(self):
        for line in self:
            line.portal_selected = line.is_portal or line.is_internal

    @api.depends('email', 'email_state', 'is_portal', 'is_internal')
    def _compute_portal_selectable(self):
        for line in self:
            reason = False
            if line.is_internal:
                reason = self.env._("An internal user: always has access.")
            elif line.is_portal:
                reason = False
            elif not (line.email or '').strip():
                reason = self.env._("No email address: add one to give access.")
            elif line.email_state == 'ko':
                reason = self.env._("The email address is not valid.")
            elif line.email_state == 'exist':
                reason = self.env._("Another user already signs in with this email address.")
            line.portal_selectable = not reason
            line.portal_unselectable_reason = reason

    def _portal_before_invite(self):
        """Record the invitation before stock sends it: its date voids the sign-up links sent before
        (res.partner._get_partner_from_token); a contact without a user yet gets the customer's portal language,
        which the invitation and the new user take."""
        for line in self:
            partner = line.partner_id.sudo()
            values = {'portal_invitation_date': fields.Datetime.now()}
            portal_lang = partner.commercial_partner_id.portal_lang
            if not line.user_id.active and portal_lang and partner.lang != portal_lang:
                values['lang'] = portal_lang
            partner.write(values)

    def action_grant_access(self):
        # EXTENDS portal: the invitation recorded (A4) and sent in the customer's portal language (A5).
        self._portal_before_invite()
        res = super().action_grant_access()
        self.partner_id.sudo().portal_invitation_state = 'invited'
        return res

    def action_invite_again(self):
        # EXTENDS portal: a new invitation date, which voids the sign-up link sent before (A4).
        self._portal_before_invite()
        res = super().action_invite_again()
        partner = self.partner_id.sudo()
        if partner.portal_invitation_state != 'accepted':
            partner.portal_invitation_state = 'invited'
        return res

    def action_revoke_access(self):
        # EXTENDS portal: the status says the access was revoked (A4).
        res = super().action_revoke_access()
        self.partner_id.sudo().portal_invitation_state = 'revoked'
        return res

    def _send_email(self):
        # EXTENDS portal: in a bulk invitation (A3) the emails are queued for the mail cron. Stock sends each
        # at once (force_send=True): one SMTP exchange per customer, which would time out for hundreds of
        # them; so in that case super() is not called and the same template is queued with stock's context.
        if not self.env.context.get('portal_invitation_queue'):
            return super()._send_email()
        self.ensure_one()
        template = self.env.ref('portal.mail_template_data_portal_welcome')
        partner = self.user_id.sudo().partner_id
        partner.signup_prepare()
        template.with_context(dbname=self._cr.dbname, lang=partner.lang).send_mail(self.id, force_send=False)
        return True

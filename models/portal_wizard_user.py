# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo import api, fields, models


class PortalWizardUser(models.TransientModel):
    _inherit = 'portal.wizard.user'

    portal_selected = fields.Boolean(
        string="Portal Access", compute='_compute_portal_selected', store=True, readonly=False
    )
    portal_selectable = fields.Boolean(compute='_compute_portal_selectable')
    portal_unselectable_reason = fields.Char(string="Why not", compute='_compute_portal_selectable')
    portal_invitation_status = fields.Char(related='partner_id.portal_invitation_status')

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

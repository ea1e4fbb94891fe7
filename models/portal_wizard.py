# Part of customer_portal. See LICENSE file for full copyright and licensing details.
import logging

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize
from odoo.tools.misc import clean_context

_logger = logging.getLogger(__name__)

# A3: invitations sent per run of the cron (it runs again while some are left); their emails are queued.
ENABLE_PORTAL_BATCH = 100


class PortalWizard(models.TransientModel):
    _inherit = 'portal.wizard'

    portal_customer_id = fields.Many2one('res.partner', string="Customer", readonly=True)
    portal_summary = fields.Html(string="Summary", readonly=True, sanitize=False)

    @api.model
    def _portal_new(self, partners, **values):
        """A wizard on exactly ``partners`` (not the context's active_ids nor defaults of another model)."""
        return self.with_context(clean_context(self.env.context), active_ids=[]).create({
            'partner_ids': [Command.set(partners.ids)], **values,
        })  # fmt: skip

    # ------------------------------------------------------------
    # A1 "Configure Customer Portal"
    # ------------------------------------------------------------

    @api.model
    def _portal_configure_open(self, customer):
        """The configuration of ``customer``: its contact persons, and the company itself when it has an email."""
        contacts = customer.child_ids.filtered(lambda c: c.type in ('contact', 'other'))
        if customer.email:
            contacts = customer | contacts
        wizard = self._portal_new(contacts, portal_customer_id=customer.id)
        return {
            'name': self.env._("Configure Customer Portal"),
            'type': 'ir.actions.act_window',
            'res_model': 'portal.wizard',
            'view_mode': 'form',
            'views': [(self.env.ref('customer_portal.view_portal_wizard_form_configure').id, 'form')],
            'res_id': wizard.id,
            'target': 'new',
        }

    def action_portal_configure_save(self):
        """Grant access (and send the invitation) to the contacts newly ticked, revoke it from those unticked."""
        self.ensure_one()
        self.user_ids.filtered(lambda line: not line.is_internal)._apply_portal_permissions()  # A9
        granted, revoked = self.env['res.partner'], self.env['res.partner']
        for line in self.user_ids.filtered(lambda line: not line.is_internal):
            if line.portal_selected and not line.is_portal:
                line.action_grant_access()
                granted |= line.partner_id
            elif not line.portal_selected and line.is_portal:
                line.action_revoke_access()
                revoked |= line.partner_id
        if granted and revoked:
            message = self.env._(
                "Invitation sent to %(invited)s; access revoked for %(revoked)s.",
                invited=', '.join(granted.mapped('name')),
                revoked=', '.join(revoked.mapped('name')),
            )
        elif granted:
            message = self.env._("Invitation sent to %s.", ', '.join(granted.mapped('name')))
        elif revoked:
            message = self.env._("Access revoked for %s.", ', '.join(revoked.mapped('name')))
        else:
            message = self.env._("No change to the portal access.")
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {
                'type': 'success',
                'message': message,
                'next': {'type': 'ir.actions.client', 'tag': 'soft_reload'},
            },
        }

    # ------------------------------------------------------------
    # A2 and A4: one contact invited, or invited again
    # ------------------------------------------------------------

    @api.model
    def _portal_grant(self, partners, reinvite=False):
        """Give ``partners`` portal access with an invitation; ``reinvite``: send it again to those who have it."""
        for line in self._portal_new(partners).user_ids:
            if line.is_internal:
                continue
            if not line.is_portal:
                line.action_grant_access()
            elif reinvite:
                line.action_invite_again()
            else:
                raise UserError(self.env._('The partner "%s" already has the portal access.', line.partner_id.name))

    # ------------------------------------------------------------
    # A3 "Enable Portal" on the customer list
    # ------------------------------------------------------------

    @api.model
    def _portal_enable_customers(self, partners):
        """Queue an invitation for the primary contact of each customer of ``partners`` (sent in batches by
        the cron "Customer Portal: send invitations", started at once); returns the action showing who is
        invited and who was skipped, and why."""
        customers = partners.commercial_partner_id
        Users = self.env['res.users'].sudo().with_context(active_test=False)
        with_access = Users.search([('partner_id', 'child_of', customers.ids)]).filtered('active')
        with_access = with_access.partner_id.commercial_partner_id
        invited, skipped, contacts = [], [], self.env['res.partner']
        for customer in customers:
            if customer.company_id and customer.company_id != self.env.company:
                skipped.append((customer, self.env._("belongs to another company (%s)", customer.company_id.name)))
            elif customer in with_access:
                skipped.append((customer, self.env._("already has portal access")))
            elif not (contact := customer._get_portal_primary_contact()):
                skipped.append((customer, self.env._("no email address, neither of the customer nor of a contact")))
            else:
                contacts |= contact
        # An address another user signs in with cannot be given to a new one (stock refuses it too).
        taken = set(Users.search([('login', 'in', [email_normalize(c.email) for c in contacts])]).mapped('login'))
        for contact in contacts:
            if email_normalize(contact.email) in taken:
                skipped.append((contact.commercial_partner_id, self.env._("its email address is used by another user")))
                contacts -= contact
            else:
                invited.append((contact.commercial_partner_id, contact))
        contacts.sudo().write({'portal_invitation_queued': True})
        if contacts:
            self.env.ref('customer_portal.ir_cron_portal_send_invitations')._trigger()
        wizard = self._portal_new(self.env['res.partner'], portal_summary=self._portal_enable_summary(invited, skipped))
        return {
            'name': self.env._("Enable Portal"),
            'type': 'ir.actions.act_window',
            'res_model': 'portal.wizard',
            'view_mode': 'form',
            'views': [(self.env.ref('customer_portal.view_portal_wizard_form_enable_summary').id, 'form')],
            'res_id': wizard.id,
            'target': 'new',
        }

    @api.model
    def _cron_portal_send_invitations(self):
        """Send the invitations queued by Enable Portal, a batch at a time (the cron runs again while some are
        left); emails are queued for the mail cron."""
        Partner = self.env['res.partner'].sudo()
        contacts = Partner.search([('portal_invitation_queued', '=', True)], limit=ENABLE_PORTAL_BATCH)
        contacts.write({'portal_invitation_queued': False})
        for line in self.sudo().with_context(portal_invitation_queue=True)._portal_new(contacts).user_ids:
            if line.is_portal or line.is_internal:
                continue  # given access in the meantime
            try:
                with self.env.cr.savepoint():
                    line.action_grant_access()
            except UserError as error:
                _logger.warning("Portal invitation of %s not sent: %s", line.partner_id.display_name, error.args[0])
        remaining = Partner.search_count([('portal_invitation_queued', '=', True)])
        self.env['ir.cron']._notify_progress(done=len(contacts), remaining=remaining)
        return remaining

    @api.model
    def _portal_enable_summary(self, invited, skipped):
        """The summary of Enable Portal: who was invited (and at which address), who was skipped and why."""
        invited_title = (
            self.env._("1 customer invited") if len(invited) == 1 else self.env._("%s customers invited", len(invited))
        )
        skipped_title = (
            self.env._("1 customer skipped") if len(skipped) == 1 else self.env._("%s customers skipped", len(skipped))
        )
        sections = (
            (
                'o_cp_enable_invited',
                invited_title,
                [f"{customer.name} ({contact.email})" for customer, contact in invited],
            ),
            ('o_cp_enable_skipped', skipped_title, [f"{customer.name}: {reason}" for customer, reason in skipped]),
        )
        html = Markup('')
        for css_class, title, rows in sections:
            html += Markup('<p class="%s"><strong>%s</strong></p>') % (css_class, title)
            if rows:
                html += Markup('<ul class="%s">%s</ul>') % (
                    css_class,
                    Markup('').join(Markup('<li>%s</li>') % row for row in rows),
                )
        return html

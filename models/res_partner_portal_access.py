# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""res.partner, bringing customers in (A1-A5, C16, P5): invitation status, portal language, the
"Allow portal access" box of a new customer and the actions that open portal.wizard. Apart from
models/res_partner.py (balances, MFA reset) to keep each file readable; the grants and revokes
themselves are portal.wizard.user's (models/portal_wizard_user.py)."""

# Apart from models/res_partner.py, which would pass 300 lines with it (issue 9).
# pylint: disable=consider-merging-classes-inherited

import base64
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize, format_datetime

from odoo.addons.base.models.res_partner import _lang_get

# Own status of a contact; a customer's (portal_customer_state) is the furthest of its contacts'.
PORTAL_INVITATION_STATES = [
    ('not_invited', "Not invited"),
    ('revoked', "Access revoked"),
    ('invited', "Invited"),
    ('accepted', "Accepted"),
]
STATE_RANK = {state: rank for rank, (state, _label) in enumerate(PORTAL_INVITATION_STATES)}
# P5: a visitor may ask for a sign-up invitation at most once per this delay per contact.
SIGNUP_RESEND_DELAY = timedelta(minutes=15)


class ResPartner(models.Model):
    _inherit = 'res.partner'

    portal_invitation_state = fields.Selection(
        PORTAL_INVITATION_STATES,
        string="Portal Invitation",
        copy=False,
        readonly=True,
        index=True,
        help="Where this contact stands with the customer portal.",
    )
    portal_invitation_date = fields.Datetime(
        string="Portal Invited On",
        copy=False,
        readonly=True,
        help="When the last portal invitation was sent; sign-up links of earlier invitations no longer work.",
    )
    portal_accepted_date = fields.Datetime(
        string="Portal Accepted On", copy=False, readonly=True, help="When this contact first signed in."
    )
    portal_invitation_queued = fields.Boolean(
        copy=False,
        readonly=True,
        index=True,
        help="Enable Portal asked for an invitation, which the cron sends shortly.",
    )
    portal_invitation_status = fields.Char(string="Portal Status", compute='_compute_portal_invitation_status')
    portal_customer_state = fields.Selection(
        PORTAL_INVITATION_STATES,
        string="Portal Access",
        compute='_compute_portal_customer_state',
        store=True,
        help="The furthest invitation status among this customer and its contacts.",
    )
    portal_lang = fields.Selection(
        _lang_get,
        string="Portal Language",
        compute='_compute_portal_lang',
        store=True,
        readonly=False,
        help="The language of the portal, the invitation and our emails and PDFs for this customer's contacts "
        "(default: the customer's language). Changing it changes the language of its existing portal users; "
        "each contact may still choose their own in the portal.",
    )
    portal_allow_access = fields.Boolean(
        string="Allow portal access",
        store=False,
        help="Invite this customer to the portal when it is saved (an email address is required).",
    )

    @api.depends(
        'portal_invitation_state', 'portal_invitation_date', 'portal_accepted_date',
        'child_ids.portal_invitation_state', 'child_ids.portal_invitation_date', 'child_ids.portal_accepted_date',
    )  # fmt: skip
    @api.depends_context('lang', 'tz')
    def _compute_portal_invitation_status(self):
        """A contact's own status; a company's is the furthest of its own and its contacts' (who, in brackets)."""
        labels = dict(self._fields['portal_invitation_state']._description_selection(self.env))
        for partner in self:
            candidates = partner | partner.child_ids if partner.is_company else partner
            best = max(
                candidates,
                key=lambda p: (
                    STATE_RANK[p.portal_invitation_state or 'not_invited'],
                    str(p.portal_invitation_date or ''),
                ),
            )
            state = best.portal_invitation_state or 'not_invited'
            if state == 'invited' and best.portal_invitation_date:
                status = self.env._("Invited on %s", format_datetime(self.env, best.portal_invitation_date))
            elif state == 'accepted' and best.portal_accepted_date:
                status = self.env._("Accepted on %s", format_datetime(self.env, best.portal_accepted_date))
            else:
                status = labels[state]
            if best != partner and state != 'not_invited':
                status = f"{status} ({best.name})"
            partner.portal_invitation_status = status

    @api.depends('portal_invitation_state', 'child_ids.portal_invitation_state')
    def _compute_portal_customer_state(self):
        for partner in self:
            states = [partner.portal_invitation_state or 'not_invited'] + [
                child.portal_invitation_state or 'not_invited' for child in partner.child_ids
            ]
            partner.portal_customer_state = max(states, key=STATE_RANK.get)

    @api.depends('lang')
    def _compute_portal_lang(self):
        for partner in self:
            partner.portal_lang = partner.lang

    @api.model
    def _portal_invitation_state_init(self):
        """At install: the status of the contacts who already have a portal user."""
        users = self.env['res.users'].sudo().with_context(active_test=False).search([('share', '=', True)])
        for user in users.filtered(lambda u: u._is_portal() and not u.partner_id.portal_invitation_state):
            accepted = user.active and user.login_date
            user.partner_id.write({
                'portal_invitation_state': 'accepted' if accepted else 'invited' if user.active else 'revoked',
                'portal_accepted_date': user.login_date if accepted else False,
                'portal_invitation_date': user.create_date,
            })  # fmt: skip

    # ------------------------------------------------------------
    # A2 "Allow portal access", A5 the portal language
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # EXTENDS base: "Allow portal access" (not stored) invites the new customer once it is created.
        to_invite = [bool(vals.pop('portal_allow_access', False)) for vals in vals_list]
        for vals, invite in zip(vals_list, to_invite, strict=True):
            if invite and not email_normalize(vals.get('email') or ''):
                raise UserError(
                    self.env._(
                        "%s has no valid email address: enter one to allow portal access, or untick "
                        "\u201cAllow portal access\u201d.",
                        vals.get('name') or self.env._("This customer"),
                    )
                )
        partners = super().create(vals_list)
        invited = partners.browse([p.id for p, invite in zip(partners, to_invite, strict=True) if invite])
        if invited:
            self.env['portal.wizard']._portal_grant(invited)
        return partners

    def write(self, vals):
        # EXTENDS base: a new portal language becomes the language of the customer's existing portal users.
        res = super().write(vals)
        if vals.get('portal_lang'):
            for partner in self.filtered(lambda p: p == p.commercial_partner_id):
                users = partner._get_portal_access_users().filtered(lambda u: u.active and u._is_portal())
                users.partner_id.filtered(lambda p: p.lang != vals['portal_lang']).lang = vals['portal_lang']
        return res

    def _get_portal_access_users(self):
        """The users (archived included) of this customer and its contacts, sudo."""
        self.ensure_one()
        contacts = self.with_context(active_test=False).sudo().search([('id', 'child_of', self.ids)])
        return contacts.user_ids

    def _get_portal_primary_contact(self):
        """The contact a customer's invitation goes to (A3, P5): the company's own email, else its first
        contact person with an email."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        if email_normalize(commercial.email or ''):
            return commercial
        contacts = commercial.child_ids.filtered(
            lambda c: c.type in ('contact', 'other') and email_normalize(c.email or '')
        )
        return contacts[:1]

    # ------------------------------------------------------------
    # A1 / A3 / A4 actions
    # ------------------------------------------------------------

    def action_open_portal_configure(self):
        """A1: the customer's contacts, a box each for who has portal access."""
        self.ensure_one()
        return self.env['portal.wizard']._portal_configure_open(self.commercial_partner_id)

    def action_enable_portal(self):
        """A3 (customer list, action menu): invite the primary contact of each selected customer."""
        return self.env['portal.wizard']._portal_enable_customers(self)

    def action_portal_reinvite(self):
        """A4: send the invitation again (a new sign-up link; the one sent before stops working)."""
        self.ensure_one()
        self.env['portal.wizard']._portal_grant(self, reinvite=True)
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {
                'type': 'success',
                'message': self.env._("Invitation sent again to %s.", self.email),
                'next': {'type': 'ir.actions.client', 'tag': 'soft_reload'},
            },
        }

    # ------------------------------------------------------------
    # P5: a sign-up invitation asked for from a public invoice or payment page
    # ------------------------------------------------------------

    def _portal_signup_invite(self):
        """Invite the primary contact of this customer (the email on record: a visitor never chooses where
        it goes), at most once per SIGNUP_RESEND_DELAY. Returns ``(status, email)``: status is 'sent',
        'recent' (sent a moment ago), 'exists' (already has an account), 'revoked' or 'no_email'."""
        self.ensure_one()
        customer = self.commercial_partner_id.sudo()
        contact = customer._get_portal_primary_contact()
        if not contact:
            return 'no_email', ''
        if (
            contact.portal_invitation_date
            and contact.portal_invitation_date > fields.Datetime.now() - SIGNUP_RESEND_DELAY
        ):
            return 'recent', contact.email
        users = customer._get_portal_access_users()
        active = users.filtered('active')
        contact_user = active.filtered(lambda u: u.partner_id == contact)
        if active - contact_user or contact_user.login_date or (contact_user and not contact_user.share):
            return 'exists', contact.email
        if not contact_user and (contact.portal_invitation_state == 'revoked' or users):
            return 'revoked', contact.email
        # Invited but never signed in: the invitation again (its new link voids the one sent before).
        self.env['portal.wizard'].sudo()._portal_grant(contact, reinvite=True)
        return 'sent', contact.email

    @api.model
    def _portal_mask_email(self, email):
        """``email`` as a visitor may see it: the first letter of the name and the domain (b•••@acme.example)."""
        name, _at, domain = (email or '').partition('@')
        return f"{name[:1]}•••@{domain}" if name and domain else ''

    # ------------------------------------------------------------
    # A4: a new invitation voids the sign-up links sent before it
    # ------------------------------------------------------------

    @api.model
    def _get_partner_from_token(self, token):
        # EXTENDS auth_signup: also refuse a sign-up link issued before the last invitation (a re-invite
        # voids the earlier ones). Stock's token has no issue date: it is its expiry minus its validity.
        partner = super()._get_partner_from_token(token)
        if not partner or partner.sudo().signup_type != 'signup' or not partner.sudo().portal_invitation_date:
            return partner
        try:
            expiry = int.from_bytes(base64.urlsafe_b64decode(token.encode() + b'===')[1:9], 'little')
        except ValueError:
            return None
        hours = int(self.env['ir.config_parameter'].sudo().get_param('auth_signup.signup.validity.hours', 144))
        invited = partner.sudo().portal_invitation_date.timestamp()
        issued = expiry - hours * 3600
        return partner if issued >= int(invited) else None

from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    portal_slug = fields.Char(related='company_id.portal_slug', readonly=False)
    portal_url = fields.Char(related='company_id.portal_url')
    portal_banner = fields.Html(related='company_id.portal_banner', readonly=False)
    portal_enforce_mfa = fields.Boolean(related='company_id.portal_enforce_mfa', readonly=False)
    portal_mfa_device_days = fields.Selection(related='company_id.portal_mfa_device_days', readonly=False)
    portal_prevent_duplicate_payment = fields.Boolean(
        related='company_id.portal_prevent_duplicate_payment', readonly=False
    )
    portal_bulk_payment = fields.Boolean(related='company_id.portal_bulk_payment', readonly=False)
    portal_display_credit_notes = fields.Boolean(related='company_id.portal_display_credit_notes', readonly=False)
    portal_allow_signup = fields.Boolean(related='company_id.portal_allow_signup', readonly=False)
    portal_identity_check = fields.Boolean(related='company_id.portal_identity_check', readonly=False)
    portal_show_sales_orders = fields.Boolean(related='company_id.portal_show_sales_orders', readonly=False)
    portal_activity_notify = fields.Boolean(related='company_id.portal_activity_notify', readonly=False)
    portal_activity_user_ids = fields.Many2many(related='company_id.portal_activity_user_ids', readonly=False)
    portal_comment_email = fields.Boolean(related='company_id.portal_comment_email', readonly=False)
    portal_allow_forward = fields.Boolean(related='company_id.portal_allow_forward', readonly=False)
    portal_forward_max_recipients = fields.Integer(related='company_id.portal_forward_max_recipients', readonly=False)
    portal_forward_daily_limit = fields.Integer(related='company_id.portal_forward_daily_limit', readonly=False)
    portal_share_link_days = fields.Integer(related='company_id.portal_share_link_days', readonly=False)
    portal_share_links_only = fields.Boolean(related='company_id.portal_share_links_only', readonly=False)
    portal_reviews = fields.Boolean(related='company_id.portal_reviews', readonly=False)
    portal_allow_uploads = fields.Boolean(related='company_id.portal_allow_uploads', readonly=False)
    portal_upload_max_size = fields.Integer(related='company_id.portal_upload_max_size', readonly=False)
    portal_upload_quota = fields.Integer(related='company_id.portal_upload_quota', readonly=False)

    @api.onchange('portal_allow_signup')
    def _onchange_portal_allow_signup(self):
        """Stock's Customer Account option (auth_signup.invitation_scope), saved with the same form, follows
        "Allow Customers to Sign Up" (P5): free sign-up when on, on invitation when off."""
        self.auth_signup_uninvited = 'b2c' if self.portal_allow_signup else 'b2b'

    def action_preview_portal_banner(self):
        """Open the banner as the company's customers see it (Settings saves it before calling this)."""
        self.ensure_one()
        if not self.env.user.has_group('base.group_system'):
            raise AccessError(_("Only administrators can preview the portal banner."))
        return {
            'type': 'ir.actions.act_url',
            'url': f'/my/banner/preview?company_id={self.company_id.id}',
            'target': 'new',
        }

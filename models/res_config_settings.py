from markupsafe import Markup

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
    # P18: the portal sections (models/res_company.py).
    portal_show_invoices = fields.Boolean(related='company_id.portal_show_invoices', readonly=False)
    portal_show_estimates = fields.Boolean(related='company_id.portal_show_estimates', readonly=False)
    portal_show_statements = fields.Boolean(related='company_id.portal_show_statements', readonly=False)
    portal_show_payments_made = fields.Boolean(related='company_id.portal_show_payments_made', readonly=False)
    portal_show_retainer_invoices = fields.Boolean(related='company_id.portal_show_retainer_invoices', readonly=False)
    portal_show_documents = fields.Boolean(related='company_id.portal_show_documents', readonly=False)
    # Branding (P19): the document layout's logo and colours, the portal domain, the portal's email templates.
    portal_company_logo = fields.Binary(related='company_id.logo', readonly=False)
    portal_primary_color = fields.Char(related='company_id.primary_color', readonly=False)
    portal_secondary_color = fields.Char(related='company_id.secondary_color', readonly=False)
    portal_color_warning = fields.Char(related='company_id.portal_color_warning')
    portal_domain = fields.Char(related='company_id.portal_domain', readonly=False)
    portal_mail_templates_html = fields.Html(
        string="Portal Email Templates", compute='_compute_portal_mail_templates_html', sanitize=False
    )
    portal_allow_forward = fields.Boolean(related='company_id.portal_allow_forward', readonly=False)
    portal_forward_max_recipients = fields.Integer(related='company_id.portal_forward_max_recipients', readonly=False)
    portal_forward_daily_limit = fields.Integer(related='company_id.portal_forward_daily_limit', readonly=False)
    portal_share_link_days = fields.Integer(related='company_id.portal_share_link_days', readonly=False)
    portal_share_links_only = fields.Boolean(related='company_id.portal_share_links_only', readonly=False)
    portal_reviews = fields.Boolean(related='company_id.portal_reviews', readonly=False)
    portal_allow_uploads = fields.Boolean(related='company_id.portal_allow_uploads', readonly=False)
    portal_upload_max_size = fields.Integer(related='company_id.portal_upload_max_size', readonly=False)
    portal_upload_quota = fields.Integer(related='company_id.portal_upload_quota', readonly=False)

    @api.depends('company_id')
    def _compute_portal_mail_templates_html(self):
        templates = self.env['res.company']._get_portal_mail_templates()
        action = self.env.ref('mail.action_email_template_tree_all', raise_if_not_found=False)
        action_ref = action.id if action else 'mail.action_email_template_tree_all'
        item = Markup(
            '<li><a href="/odoo/action-%s/%s" target="_blank" title="%s">'
            '<i class="fa fa-pencil me-1" aria-hidden="true"></i>%s</a></li>'
        )
        items = Markup().join(
            item % (action_ref, template.id, _("Edit"), template.name) for template in templates.sudo()
        )
        for settings in self:
            settings.portal_mail_templates_html = Markup('<ul class="o_cp_mail_templates mb-0">%s</ul>') % items

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

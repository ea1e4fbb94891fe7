import re
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import html2plaintext

PORTAL_SLUG_MIN = 3
PORTAL_SLUG_MAX = 63
PORTAL_SLUG_RE = re.compile(r'^[a-z0-9]+(?:-[a-z0-9]+)*$')
# Words that name Odoo routes or would mislead a customer about whose portal it is.
RESERVED_PORTAL_SLUGS = frozenset(
    {
        'admin',
        'administrator',
        'api',
        'app',
        'apps',
        'assets',
        'auth',
        'billing',
        'customer',
        'customers',
        'dashboard',
        'help',
        'home',
        'json',
        'login',
        'logout',
        'mail',
        'my',
        'odoo',
        'odoo-bin',
        'pay',
        'payment',
        'payments',
        'portal',
        'public',
        'root',
        'security',
        'shop',
        'signup',
        'static',
        'support',
        'system',
        'test',
        'web',
        'website',
        'websocket',
        'www',
        'xmlrpc',
        'jsonrpc',
    }
)


class ResCompany(models.Model):
    _inherit = 'res.company'

    portal_slug = fields.Char(
        string="Portal Name",
        copy=False,
        help="Unique name of this company's customer portal, used in its address: <base url>/portal/<name>.",
    )
    portal_url = fields.Char(string="Portal URL", compute='_compute_portal_url')
    portal_banner = fields.Html(
        string="Portal Banner Message",
        translate=True,
        sanitize=True,
        help="Shown at the top of the portal home page of this company's customers.",
    )

    # Feature switches of the Customer Portal settings (features.md P3-P16): the features that
    # stock Odoo already shows customers default on, new abilities default off.
    portal_enforce_mfa = fields.Boolean(
        string="Enforce Multi-Factor Authentication",
        help="Every portal user of this company must sign in with an authenticator app code.",
    )
    portal_mfa_device_days = fields.Selection(
        [('0', "Never"), ('1', "1 day"), ('7', "7 days"), ('30', "30 days"), ('90', "90 days")],
        string="Remember Trusted Devices",
        default='90',
        required=True,
        help="How long \"Don't ask again on this device\" spares a portal user the code, when MFA "
        "is enforced. Never: the option is not offered and remembered devices are refused.",
    )
    portal_prevent_duplicate_payment = fields.Boolean(
        string="Prevent Duplicate Payments",
        default=True,
        help="No new payment on an invoice while another payment of it is being processed.",
    )
    portal_bulk_payment = fields.Boolean(
        string="Bulk Payments",
        help="Customers may pay several invoices at once with a single payment.",
    )
    portal_display_credit_notes = fields.Boolean(
        string="Display Credit Notes",
        help="Customers see their credit notes, the invoices they were applied to and their refunds.",
    )
    portal_show_sales_orders = fields.Boolean(
        string="Allow Customers to View Sales Orders",
        default=True,
        help="Customers see their confirmed sales orders and the invoices of each. Off: only their "
        "quotations (estimates) are shown.",
    )
    portal_activity_notify = fields.Boolean(
        string="Notify Me About Portal Activity",
        help="The salesperson of a document (or the users named below) is notified when a customer "
        "views it, pays, comments, accepts or declines a quotation, or changes their details.",
    )
    portal_activity_user_ids = fields.Many2many(
        'res.users',
        'res_company_portal_activity_user_rel',
        'company_id',
        'user_id',
        string="Notify These Users",
        domain=[('share', '=', False)],
        help="Notified of portal activity on documents that have no salesperson.",
    )
    portal_comment_email = fields.Boolean(
        string="Email Customers When I Comment",
        default=True,
        help="A message (not a log note) posted on an invoice, quotation or order is emailed to the "
        "customer's contacts that follow it. Off: it is only shown in the portal.",
    )

    portal_allow_signup = fields.Boolean(
        string="Allow Customers to Sign Up",
        help="The public invoice and payment-link pages offer to create a portal account: the invitation goes "
        "to the customer's email on record. Also sets Odoo's Customer Account option (free sign-up when on, "
        "on invitation only when off), which is global: it applies to every company of this database.",
    )

    _sql_constraints = [
        ('portal_slug_unique', 'UNIQUE(portal_slug)', "This portal name is already used by another company."),
    ]

    @api.depends('portal_slug')
    def _compute_portal_url(self):
        base_url = self.env['ir.config_parameter'].sudo().get_param('web.base.url', '')
        for company in self:
            company.portal_url = company.portal_slug and f"{base_url}/portal/{company.portal_slug}"

    @api.constrains('portal_slug')
    def _check_portal_slug(self):
        for company in self:
            error = company._get_portal_slug_error(company.portal_slug)
            if error:
                raise ValidationError(error)
        # The unique index guards too, but its message names no company. Plain SQL: a search
        # would flush the new value first and hit the index before this clearer message.
        for company in self:
            self.env.cr.execute(
                "SELECT name FROM res_company WHERE portal_slug = %s AND id != %s LIMIT 1",
                (company.portal_slug, company.id),
            )
            other = self.env.cr.fetchone()
            if other:
                raise ValidationError(
                    _(
                        "The portal name “%(slug)s” is already used by %(company)s. Choose another one.",
                        slug=company.portal_slug,
                        company=other[0],
                    )
                )

    @api.model
    def _get_portal_slug_error(self, slug):
        """Return why ``slug`` cannot be a portal name, or None when it can."""
        if not slug:
            return _("The portal name is required.")
        if not PORTAL_SLUG_MIN <= len(slug) <= PORTAL_SLUG_MAX:
            return _(
                "The portal name must have between %(min)s and %(max)s characters.",
                min=PORTAL_SLUG_MIN,
                max=PORTAL_SLUG_MAX,
            )
        if not PORTAL_SLUG_RE.match(slug):
            return _(
                "The portal name may only contain lowercase letters (a-z), digits (0-9) and single "
                "hyphens, and must start and end with a letter or a digit."
            )
        if slug in RESERVED_PORTAL_SLUGS:
            return _("“%s” is a reserved word and cannot be used as a portal name.", slug)
        return None

    @api.model_create_multi
    def create(self, vals_list):
        # EXTENDS base: every company gets a portal name at creation (P1).
        companies = super().create(vals_list)
        companies.filtered(lambda c: not c.portal_slug)._assign_portal_slug()
        return companies

    def write(self, vals):
        # EXTENDS base: "Allow Customers to Sign Up" (P5) governs stock's sign-up scope too (global).
        res = super().write(vals)
        if 'portal_allow_signup' in vals:
            self._sync_portal_signup_scope()
        return res

    @api.model
    def _sync_portal_signup_scope(self):
        """auth_signup.invitation_scope is one for the database: free sign-up (b2c) while a company allows
        its customers to sign up, on invitation (b2b) otherwise."""
        allowed = self.sudo().search_count([('portal_allow_signup', '=', True)], limit=1)
        self.env['ir.config_parameter'].sudo().set_param('auth_signup.invitation_scope', 'b2c' if allowed else 'b2b')

    def _assign_portal_slug(self):
        for company in self:
            company.portal_slug = company._generate_portal_slug()

    def _generate_portal_slug(self):
        """A valid, unused portal name derived from the company name."""
        self.ensure_one()
        slug = self.env['ir.http']._slugify(self.name or '').lower()
        base = re.sub(r'[^a-z0-9]+', '-', slug)[:PORTAL_SLUG_MAX].strip('-')
        if len(base) < PORTAL_SLUG_MIN or base in RESERVED_PORTAL_SLUGS:
            base = f"{base}-portal".strip('-') if base else 'company-portal'
        candidate, counter = base, 1
        while self.search_count([('portal_slug', '=', candidate), ('id', '!=', self.id)], limit=1):
            counter += 1
            suffix = f"-{counter}"
            candidate = base[: PORTAL_SLUG_MAX - len(suffix)].rstrip('-') + suffix
        return candidate

    @api.model
    def _get_by_portal_slug(self, slug):
        """The company whose portal name is ``slug`` (sudo, for public routes), or an empty recordset."""
        if not isinstance(slug, str) or self._get_portal_slug_error(slug):
            return self.browse()
        return self.sudo().search([('portal_slug', '=', slug)], limit=1)

    def _get_portal_mfa_device_lifetime(self):
        """How long a portal user of this company may have a device remembered under enforced
        MFA (a timedelta), or None when devices are never remembered."""
        self.ensure_one()
        days = int(self.portal_mfa_device_days or 0)
        return timedelta(days=days) if days > 0 else None

    def _get_portal_banner(self):
        """The banner to show, or False when it holds no visible content."""
        self.ensure_one()
        banner = self.portal_banner
        if not banner or not (html2plaintext(banner).strip() or '<img' in banner):
            return False
        return banner

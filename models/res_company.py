import re
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import html2plaintext

from ..tools import contrast

# P18: Section -> the company's switch. One switch per section: P12, P13 and the bridges' switches are reused
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
PORTAL_SLUG_MIN = 3
PORTAL_SLUG_MAX = 63
PORTAL_SLUG_RE = re.compile(r'^[a-z0-9]+(?:-[a-z0-9]+)*$')
# A host name with at least one dot (labels of letters, digits and inner hyphens), optionally a port.
PORTAL_DOMAIN_RE = re.compile(
    r'^(?=.{1,253}(?::|$))(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?::[0-9]{1,5})?$'
)
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
    portal_reviews = fields.Boolean(
        string="Enable Customer Reviews",
        help="Customers rate your services (1 to 5) and leave a message from the portal home. Reviews are "
        "never public: they are shown on the customer as Client Reviews.",
    )

    portal_identity_check = fields.Boolean(
        string="Verify Identity for Public Links",
        help="A visitor who is not signed in and opens an invoice or quotation by its link sees its number, "
        "amount due and due date and may pay it, but reads, prints or downloads it only after entering a "
        "one-time code emailed to the address on record for that link.",
    )

    portal_allow_signup = fields.Boolean(
        string="Allow Customers to Sign Up",
        help="The public invoice and payment-link pages offer to create a portal account: the invitation goes "
        "to the customer's email on record. Also sets Odoo's Customer Account option (free sign-up when on, "
        "on invitation only when off), which is global: it applies to every company of this database.",
    )

    portal_allow_uploads = fields.Boolean(
        string="Allow Customers to Upload Documents and Edit Their Information",
        help="Customers upload documents to Shared Documents and edit their company's details, addresses and "
        "contact persons in the portal. Off: they only read the documents you share with them.",
    )
    portal_upload_max_size = fields.Integer(
        string="Maximum Upload Size (MB)",
        default=10,
        help="Largest file a customer may upload, in megabytes.",
    )
    portal_upload_quota = fields.Integer(
        string="Upload Quota per Customer (MB)",
        default=200,
        help="Total size of the files each customer may have uploaded, in megabytes.",
    )

    # Forwarding (P9, C15) and per-recipient links (issue 11).
    portal_allow_forward = fields.Boolean(
        string="Allow Customers to Forward Documents",
        help="Customers forward their invoices, quotations and sales orders by email from the portal; each "
        "recipient gets the PDF and a link of their own and becomes a contact person of the customer.",
    )
    portal_forward_max_recipients = fields.Integer(
        string="Recipients per Forward", default=5, help="The most people a customer forwards a document to at once."
    )
    portal_forward_daily_limit = fields.Integer(
        string="Recipients per Day",
        default=20,
        help="The most people each portal user forwards documents to in 24 hours.",
    )
    portal_share_link_days = fields.Integer(
        string="Links Valid For (Days)",
        default=30,
        help="How long the link of a recipient (forward, Send, Share) opens the document.",
    )
    portal_share_links_only = fields.Boolean(
        string="Only Per-Recipient Links",
        help="The document's own link (one for everyone, never expiring) is refused: only the links sent to "
        "each recipient open a document without signing in.",
    )

    _sql_constraints = [
        ('portal_slug_unique', 'UNIQUE(portal_slug)', "This portal name is already used by another company."),
    ]

    @api.depends('portal_slug', 'portal_domain')
    def _compute_portal_url(self):
        base_url = self.env['ir.config_parameter'].sudo().get_param('web.base.url', '')
        for company in self:
            # P19: at the company's portal domain when it has one.
            company_url = company._get_portal_base_url() or base_url
            company.portal_url = company.portal_slug and f"{company_url}/portal/{company.portal_slug}"

    @api.constrains('portal_forward_max_recipients', 'portal_forward_daily_limit', 'portal_share_link_days')
    def _check_portal_forward_limits(self):
        for company in self:
            if (
                min(
                    company.portal_forward_max_recipients,
                    company.portal_forward_daily_limit,
                    company.portal_share_link_days,
                )
                < 1
            ):
                raise ValidationError(
                    _("The recipients per forward, recipients per day and days a link is valid must be at least 1.")
                )

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

    @api.constrains('portal_upload_max_size', 'portal_upload_quota')
    def _check_portal_upload_limits(self):
        for company in self:
            if company.portal_upload_max_size < 1 or company.portal_upload_quota < 1:
                raise ValidationError(_("The maximum upload size and the upload quota must be at least 1 MB."))
            if company.portal_upload_max_size > company.portal_upload_quota:
                raise ValidationError(_("The maximum upload size cannot exceed the upload quota per customer."))

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

    # ------------------------------------------------------------------
    # Branding (P19): colours, portal domain, email templates
    # ------------------------------------------------------------------

    portal_domain = fields.Char(
        copy=False,
        help="Host name at which your customers reach this company's portal, e.g. portal.example.com (it must "
        "point to this Odoo, see the README). When set, every link to the portal sent to this company's "
        "customers (invitations, documents, payment links, security emails) uses it.",
    )
    portal_color_warning = fields.Char(string="Colour Warning", compute='_compute_portal_color_warning')

    @api.depends('primary_color', 'secondary_color')
    def _compute_portal_color_warning(self):
        for company in self:
            warnings = []
            for kind, color, minimum in (
                ('primary', company.primary_color, contrast.AA_TEXT),
                ('secondary', company.secondary_color, contrast.AA_GRAPHICS),
            ):
                if not color:
                    continue
                if not contrast.normalize_hex(color):
                    warnings.append(
                        _("The colour “%(color)s” is not a hex colour (#rrggbb): the portal ignores it.", color=color)
                    )
                    continue
                if contrast.is_readable(color, minimum=minimum):
                    continue
                values = {
                    'color': color,
                    'ratio': f"{contrast.contrast_ratio(color, contrast.WHITE):.2f}",
                    'minimum': minimum,
                    'fallback': contrast.readable_color(color, minimum=minimum),
                }
                if kind == 'primary':
                    warnings.append(
                        _(
                            "The primary colour %(color)s has a contrast of only %(ratio)s:1 with white: the white "
                            "text of buttons and the links would be hard to read (WCAG AA asks at least "
                            "%(minimum)s:1). The portal shows the darker %(fallback)s instead.",
                            **values,
                        )
                    )
                else:
                    warnings.append(
                        _(
                            "The secondary colour %(color)s has a contrast of only %(ratio)s:1 with the white page: "
                            "the portal's accents would be hard to see (WCAG AA asks at least %(minimum)s:1). The "
                            "portal shows the darker %(fallback)s instead.",
                            **values,
                        )
                    )
            company.portal_color_warning = '\n'.join(warnings) or False

    def _get_portal_brand(self):
        """The colours of this company's portal pages, always readable (an unreadable colour is replaced by its
        darkest-needed shade): a dict of CSS values, empty when the company has no document-layout colours."""
        self.ensure_one()
        primary = contrast.readable_color(self.primary_color)
        secondary = contrast.readable_color(self.secondary_color, minimum=contrast.AA_GRAPHICS)
        if not primary and not secondary:
            return {}
        brand = {'secondary': secondary or primary}
        if primary:
            hover = contrast.shade(primary, 0.15)
            brand.update(
                {
                    'primary': primary,
                    'primary_rgb': ', '.join(str(c) for c in contrast.hex_to_rgb(primary)),
                    'primary_hover': hover,
                    'primary_hover_rgb': ', '.join(str(c) for c in contrast.hex_to_rgb(hover)),
                }
            )
        return brand

    @api.constrains('portal_domain')
    def _check_portal_domain(self):
        for company in self:
            error = company._get_portal_domain_error(company.portal_domain)
            if error:
                raise ValidationError(error)

    @api.model
    def _get_portal_domain_error(self, domain):
        """Why ``domain`` cannot be a portal domain, or None when it can (an empty one can: none is used)."""
        if not domain:
            return None
        value = domain.strip()
        scheme, sep, rest = value.rpartition('://')
        if sep and scheme.lower() != 'https':
            return _(
                "The portal domain “%s” must start with https:// or with the host name itself: customers' links "
                "are always secure.",
                domain,
            )
        host = rest.rstrip('/') if sep else value.rstrip('/')
        if any(char in host for char in '/?#@ '):
            return _(
                "The portal domain “%s” must be a host name only, without a path, a query or spaces, "
                "e.g. portal.example.com.",
                domain,
            )
        if not PORTAL_DOMAIN_RE.match(host) or len(host.split(':')[0]) > 253:
            return _(
                "“%s” is not a valid host name: use letters, digits, hyphens and dots, with at least one dot, "
                "e.g. portal.example.com (optionally https://portal.example.com).",
                domain,
            )
        return None

    def _get_portal_base_url(self):
        """The base URL of links to this company's portal: https://<portal domain>, or None without one."""
        self.ensure_one()
        domain = (self.portal_domain or '').strip()
        if not domain or self._get_portal_domain_error(domain):
            return None
        host = domain.rpartition('://')[2].rstrip('/').lower()
        return f'https://{host}'

    def _get_portal_domain_company(self):
        # EXTENDS customer_portal (models/base.py): a company's own links go to its portal.
        return self

    @api.model
    def _get_portal_mail_templates(self):
        """The email templates the portal sends customers (ours, the bridges', and stock's invitation)."""
        data = (
            self.env['ir.model.data']
            .sudo()
            .search([('model', '=', 'mail.template'), ('module', '=like', 'customer_portal%')])
        )
        templates = self.env['mail.template'].browse(data.mapped('res_id'))
        invitation = self.env.ref('portal.mail_template_data_portal_welcome', raise_if_not_found=False)
        return (invitation | templates).exists()

    # ------------------------------------------------------------------
    # The portal sections (P18): one switch per section, and the one answer to "is section X on"
    # ------------------------------------------------------------------

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
        if section not in PORTAL_SECTION_FIELDS:
            raise ValueError(f"Unknown portal section: {section!r}")
        return self._get_portal_sections_enabled()[section]

    def _get_portal_sections_enabled(self):
        """Section -> whether this company shows it (``_is_portal_section_enabled`` of every section at once:
        the home asks for all of them on every request)."""
        self.ensure_one()
        fields_ = self._get_portal_section_fields()
        # sudo: the switches of the customer's company, read for a portal user.
        company_sudo = self.sudo()
        return {
            section: bool(section in fields_ and company_sudo[fields_[section]]) for section in PORTAL_SECTION_FIELDS
        }

import base64
import re
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request
from odoo.tools import SQL, email_normalize, format_date, format_datetime, single_email_re

from odoo.addons.base.models.res_partner import _lang_get
from odoo.addons.base.models.res_users import check_identity

# The figures of the Balance Summary (C1), see ResPartner._get_portal_balance_summary.
BALANCE_FIGURES = (
    'outstanding_invoices', 'available_credits', 'balance_payable', 'outstanding_retainer_invoices',
    'available_retainer_payments',
)  # fmt: skip

# My Details (P8, C13): the only fields a customer writes, per kind of record (allow-lists).
PORTAL_DETAILS_FIELDS = {
    'company': ('name', 'email', 'phone', 'vat', 'street', 'street2', 'zip', 'city', 'state_id', 'country_id'),
    'delivery': ('name', 'phone', 'street', 'street2', 'zip', 'city', 'state_id', 'country_id'),
    'contact': ('name', 'email', 'phone', 'function'),
}
PORTAL_ADDRESS_FIELDS = ('street', 'street2', 'zip', 'city', 'state_id', 'country_id')
PORTAL_DETAILS_MAX_LENGTH = 256
# Control characters (NUL makes PostgreSQL refuse the query), and line or paragraph separators.
PORTAL_DETAILS_FORBIDDEN_RE = re.compile('[\x00-\x1f\x7f\u2028\u2029]')
# A1-A5: the portal invitation. Own status of a contact; a customer's (portal_customer_state) is the
# furthest of its contacts'.
PORTAL_INVITATION_STATES = [
    ('not_invited', "Not invited"),
    ('revoked', "Access revoked"),
    ('invited', "Invited"),
    ('accepted', "Accepted"),
]
STATE_RANK = {state: rank for rank, (state, _label) in enumerate(PORTAL_INVITATION_STATES)}
# P5: a visitor may ask for a sign-up invitation at most once per this delay per contact.
SIGNUP_RESEND_DELAY = timedelta(minutes=15)
# A9: permission name (the API's word) -> field of res.partner.
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

    portal_allow_bank_payment = fields.Boolean(
        string="Allow this customer to pay via bank account",
        help="Bank debit payment methods (ACH, SEPA Direct Debit and the like) are offered to this "
        "customer in the portal. Cards are offered to every customer.",
    )

    # ------------------------------------------------------------
    # Client Reviews (P11, A8): the ratings the customer's contacts gave from the portal
    # ------------------------------------------------------------

    portal_review_count = fields.Integer(
        string="Client Reviews", compute='_compute_portal_review_stats', groups='base.group_user'
    )
    portal_review_avg = fields.Float(
        string="Average Rating", compute='_compute_portal_review_stats', groups='base.group_user', digits=(2, 1)
    )

    def _compute_portal_review_stats(self):
        """The number and average rating (1 to 5) of the reviews of each partner's customer company."""
        Rating = self.env['rating.rating'].sudo()  # sudo: the figures are read by every employee
        customers = self.commercial_partner_id
        stats = {
            res_id: (count, average)
            for res_id, count, average in Rating._read_group(
                Rating._portal_review_domain(customers), ['res_id'], ['__count', 'rating:avg']
            )
        }
        for partner in self:
            partner.portal_review_count, partner.portal_review_avg = stats.get(
                partner.commercial_partner_id.id, (0, 0.0)
            )

    def action_view_portal_reviews(self):
        """The Client Reviews of the customer: author, date, rating and message of each."""
        self.ensure_one()
        Rating = self.env['rating.rating']
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._("Client Reviews"),
            'res_model': 'rating.rating',
            'view_mode': 'list,form',
            'views': [
                (self.env.ref('customer_portal.view_rating_rating_list_client_reviews').id, 'list'),
                (False, 'form'),
            ],
            'domain': Rating._portal_review_domain(self.commercial_partner_id),
            'context': {'create': False},
        }

    def _lock_portal_rate_limit(self):
        """Before a daily limit of this contact is counted (reviews, emails to the business): a second
        request of the contact at the same moment waits for the first, then fails with a serialization
        error that Odoo retries (logged as INFO), and the retry counts what the first one stored. A row
        version of its own, not a plain lock: under REPEATABLE READ a lock taken after the first request
        committed would not show what it stored."""
        self.ensure_one()
        # The serialization error is expected: no "bad query" logged for it.
        self.env.cr.execute(
            SQL("UPDATE res_partner SET write_date = write_date WHERE id = %s", self.id), log_exceptions=False
        )

    # ------------------------------------------------------------
    # Customer portal: balances (C1, C7); the statement (C5) is report/report_portal_statement.py
    # ------------------------------------------------------------

    def _get_portal_domain_company(self):
        # EXTENDS customer_portal (models/base.py): the company of a customer's contact, else of its portal user
        # (a shared contact invited by one company); never for an employee, whose links stay on the base URL (P19).
        partner = self.sudo()
        if any(not user.share for user in partner.with_context(active_test=False).user_ids):
            return self.env['res.company']
        return (
            partner.company_id
            or partner.commercial_partner_id.company_id
            or partner.user_ids[:1].company_id
            or self.env['res.company']
        )

    def _get_portal_ledger_partner_ids(self):
        """Ids of the customer company and all its contacts (archived included): journal items of
        payments may carry the contact who paid rather than the company."""
        commercial = self.commercial_partner_id
        # One query whatever the depth: a search with child_of costs one per level and one more.
        self.env['res.partner'].flush_model(['parent_id'])
        rows = self.env.execute_query(SQL(
            """
            WITH RECURSIVE tree(id) AS (
                SELECT %(id)s
                 UNION
                SELECT partner.id FROM res_partner partner JOIN tree ON partner.parent_id = tree.id
            )
            SELECT id FROM tree ORDER BY id
            """,
            id=commercial.id,
        ))  # fmt: skip
        return tuple(row[0] for row in rows)

    def _get_portal_retainer_invoice_ids(self, company=None, partner_ids=None):
        """Ids of the down-payment (retainer) invoices of this partner's company (C7), as sale's
        ``account.move._is_downpayment()`` defines them: every sales order line they invoice is a
        down payment. One search, whatever the number of documents."""
        self.ensure_one()
        domain = self._get_portal_retainer_invoice_domain(company=company, partner_ids=partner_ids)
        return self.env['account.move'].sudo().search(domain).ids

    def _get_portal_retainer_invoice_domain(self, company=None, partner_ids=None):
        """The domain of ``_get_portal_retainer_invoice_ids``."""
        company = company or self.env.company
        partner_ids = partner_ids or self._get_portal_ledger_partner_ids()
        customer_lines = [('partner_id', 'in', partner_ids)]
        return [
            ('move_type', '=', 'out_invoice'),
            ('partner_id', 'in', partner_ids),  # the customer's invoices only (indexed), then their lines
            ('company_id', '=', company.id),
            ('line_ids', 'any', customer_lines + [('sale_line_ids.is_downpayment', '=', True)]),
            ('line_ids', 'not any', customer_lines + [('sale_line_ids.is_downpayment', '=', False)]),
        ]

    def _get_portal_balance_summary(self, company=None, partner_ids=None):
        """The Balance Summary of the portal home (C1) of this partner's company, read from the open
        (unreconciled) posted journal items of its receivable accounts in ``company``.

        Figures (company currency in ``totals``; per document currency in ``by_currency``):

        - ``outstanding_invoices``: what is left to pay on posted customer invoices (sum of the
          positive residuals of their receivable items);
        - ``available_credits``: what the business owes the customer and may still apply: unapplied
          credit notes and payments (minus the sum of the negative residuals);
        - ``balance_payable``: the receivable balance, the sum of the residuals of the open items,
          as stock's Total Receivable of the partner (``res.partner.credit``) adds it up. It equals
          outstanding_invoices - available_credits + any other open debit (e.g. a refund paid out
          before its credit note was posted);
        - ``outstanding_retainer_invoices``: the part of ``outstanding_invoices`` due on down-payment
          invoices;
        - ``available_retainer_payments``: down payments invoiced on fully paid down-payment invoices
          and not yet deducted from a final invoice (never below zero). They are not part of the
          receivable balance: once paid, a down payment is a liability of the business, not a credit
          the customer can apply.

        :param company: the company whose books are read (default: the current company)
        :param partner_ids: ``_get_portal_ledger_partner_ids()`` when the caller has it already
        :return: dict with ``currency``, ``totals`` (dict of the figures above, company currency),
            ``by_currency`` (list of dicts with ``currency`` and the same figures in that currency)
            and ``multi_currency``
        """
        self.ensure_one()
        company = company or self.env.company
        partner_ids = partner_ids or self._get_portal_ledger_partner_ids()
        # The receivable accounts, as literal ids: with them PostgreSQL reads the open items through stock's
        # partial index on (account_id, partner_id) instead of scanning the customer's journal items (half
        # the time of the query at 10,000 invoices; sudo: a portal user reads no accounts).
        receivable_ids = tuple(
            self.env['account.account']
            .sudo()
            .with_context(active_test=False)
            ._search([('account_type', '=', 'asset_receivable')])
        ) or (0,)
        self.env['account.move.line'].flush_model([
            'account_id', 'amount_residual', 'amount_residual_currency', 'balance', 'company_id',
            'currency_id', 'display_type', 'move_id', 'parent_state', 'partner_id', 'price_total',
            'reconciled', 'sale_line_ids', 'amount_currency'
        ])  # fmt: skip
        self.env['account.move'].flush_model([
            'commercial_partner_id', 'company_id', 'currency_id', 'move_type', 'partner_id', 'payment_state', 'state'
        ])  # fmt: skip
        self.env['sale.order.line'].flush_model(['is_downpayment'])
        # One query: the open items (balances) and the down payments not yet deducted (retainers).
        # Only open items have a residual: the condition of balances is, word for word, the one of stock's
        # partial index account_move_line__unreconciled_index, so the cost follows the open items, not
        # the customer's history. Down payments not yet deducted: + on paid down-payment invoices, -
        # where a final invoice deducts them (negative quantity) or a credit note reverses them.
        rows = {row['currency_id']: row for row in self.env.execute_query_dict(SQL(
            """
            WITH dp AS MATERIALIZED (
                -- The down-payment invoices, as _get_portal_retainer_invoice_domain finds them: invoices
                -- of the customer whose lines (of the customer) invoice sales order lines, all of them down
                -- payments. Read from the invoiced sales order lines: the ORM's sub-query of that domain
                -- took longer to plan than this one takes to run.
                SELECT ARRAY(
                    SELECT line.move_id
                      FROM sale_order_line_invoice_rel rel
                      JOIN sale_order_line sol ON sol.id = rel.order_line_id
                      JOIN account_move_line line ON line.id = rel.invoice_line_id
                      JOIN account_move move ON move.id = line.move_id
                     WHERE line.partner_id IN %(partner_ids)s
                       AND move.move_type = 'out_invoice'
                       AND move.partner_id IN %(partner_ids)s
                       AND move.company_id = %(company_id)s
                  GROUP BY line.move_id
                    HAVING bool_and(COALESCE(sol.is_downpayment, false))
                ) AS ids
            ),
            balances AS (
                SELECT aml.currency_id,
                       SUM(aml.amount_residual) FILTER (
                           WHERE move.move_type IN ('out_invoice', 'out_receipt') AND aml.amount_residual > 0
                       ) AS outstanding_invoices,
                       SUM(aml.amount_residual_currency) FILTER (
                           WHERE move.move_type IN ('out_invoice', 'out_receipt') AND aml.amount_residual_currency > 0
                       ) AS outstanding_invoices_currency,
                       -SUM(aml.amount_residual) FILTER (WHERE aml.amount_residual < 0) AS available_credits,
                       -SUM(aml.amount_residual_currency) FILTER (
                           WHERE aml.amount_residual_currency < 0
                       ) AS available_credits_currency,
                       SUM(aml.amount_residual) AS balance_payable,
                       SUM(aml.amount_residual_currency) AS balance_payable_currency,
                       SUM(aml.amount_residual) FILTER (
                           WHERE aml.move_id = ANY(dp.ids) AND aml.amount_residual > 0
                       ) AS outstanding_retainer_invoices,
                       SUM(aml.amount_residual_currency) FILTER (
                           WHERE aml.move_id = ANY(dp.ids) AND aml.amount_residual_currency > 0
                       ) AS outstanding_retainer_invoices_currency
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                 CROSS JOIN dp
                 WHERE aml.account_id IN %(receivable_ids)s
                   AND (aml.reconciled IS NULL OR aml.reconciled = false OR aml.reconciled IS NOT true)
                   AND aml.parent_state = 'posted'
                   AND aml.partner_id IN %(partner_ids)s
                   AND aml.company_id = %(company_id)s
              GROUP BY aml.currency_id
            ),
            retainers AS (
                SELECT move.currency_id,
                       GREATEST(SUM(CASE WHEN move.move_type = 'out_refund' THEN -1 ELSE 1 END * line.price_total), 0)
                           AS available_retainer_payments_currency,
                       GREATEST(SUM(CASE WHEN move.move_type = 'out_refund' THEN -1 ELSE 1 END * line.price_total
                           * COALESCE(ABS(line.balance) / NULLIF(ABS(line.amount_currency), 0), 1)), 0)
                           AS available_retainer_payments
                  FROM account_move_line line
                  JOIN account_move move ON move.id = line.move_id
                 CROSS JOIN dp
                 WHERE line.display_type = 'product'
                   AND move.state = 'posted'
                   AND move.move_type IN ('out_invoice', 'out_refund')
                   AND move.commercial_partner_id IN %(partner_ids)s
                   AND move.company_id = %(company_id)s
                   AND EXISTS (
                       SELECT 1 FROM sale_order_line_invoice_rel rel
                         JOIN sale_order_line sol ON sol.id = rel.order_line_id
                        WHERE rel.invoice_line_id = line.id AND sol.is_downpayment
                   )
                   AND (NOT move.id = ANY(dp.ids) OR move.payment_state IN ('paid', 'in_payment', 'reversed'))
              GROUP BY move.currency_id
            )
            SELECT COALESCE(balances.currency_id, retainers.currency_id) AS currency_id,
                   balances.outstanding_invoices, balances.outstanding_invoices_currency,
                   balances.available_credits, balances.available_credits_currency,
                   balances.balance_payable, balances.balance_payable_currency,
                   balances.outstanding_retainer_invoices, balances.outstanding_retainer_invoices_currency,
                   retainers.available_retainer_payments, retainers.available_retainer_payments_currency
              FROM balances
              FULL JOIN retainers ON retainers.currency_id = balances.currency_id
            """,
            receivable_ids=receivable_ids, partner_ids=partner_ids, company_id=company.id,
        ))}  # fmt: skip

        totals = dict.fromkeys(BALANCE_FIGURES, 0.0)
        by_currency = []
        for currency in self.env['res.currency'].browse(sorted(rows)):
            row = rows[currency.id]
            figures = {key: currency.round(row.get(key + '_currency') or 0.0) for key in BALANCE_FIGURES}
            by_currency.append({'currency': currency, **figures})
            for key in BALANCE_FIGURES:
                totals[key] += row.get(key) or 0.0
        company_currency = company.currency_id
        totals = {key: company_currency.round(value) for key, value in totals.items()}
        return {
            'currency': company_currency,
            'totals': totals,
            'by_currency': by_currency,
            'multi_currency': len(by_currency) > 1 or any(f['currency'] != company_currency for f in by_currency),
        }

    # ------------------------------------------------------------
    # Customer portal: Reset Portal MFA (M4)
    # ------------------------------------------------------------

    portal_mfa_has_portal_user = fields.Boolean(
        string="Has Portal User", compute='_compute_portal_mfa_status', groups='base.group_erp_manager'
    )
    portal_mfa_enabled = fields.Boolean(
        string="Portal MFA Set Up", compute='_compute_portal_mfa_status', groups='base.group_erp_manager'
    )
    portal_mfa_status = fields.Char(
        string="Portal MFA",
        compute='_compute_portal_mfa_status',
        groups='base.group_erp_manager',
        help="Whether the portal user of this contact set up an authenticator app, and when.",
    )

    def _get_portal_mfa_users(self):
        """The portal users of this contact (archived included), sudo."""
        self.ensure_one()
        return self.with_context(active_test=False).sudo().user_ids.filtered('share')

    def _compute_portal_mfa_status(self):
        for partner in self:
            users = partner._origin and partner._origin._get_portal_mfa_users()
            enabled = users.filtered('totp_enabled') if users else users
            partner.portal_mfa_has_portal_user = bool(users)
            partner.portal_mfa_enabled = bool(enabled)
            dates = [d for d in enabled.mapped('portal_mfa_setup_date') if d] if enabled else []
            if not users:
                partner.portal_mfa_status = False
            elif not enabled:
                partner.portal_mfa_status = self.env._("Not set up")
            elif not dates:
                partner.portal_mfa_status = self.env._("Set up")
            else:
                setup_date = fields.Datetime.context_timestamp(partner, max(dates)).date()
                partner.portal_mfa_status = self.env._("Set up on %s", format_date(self.env, setup_date))

    def _check_portal_mfa_reset_access(self):
        if not (self.env.su or self.env.user._is_admin()):
            raise AccessError(
                self.env._("Only administrators can reset the multi-factor authentication of a customer.")
            )

    def action_reset_portal_mfa(self):
        """Button of the contact form: the administrator confirms their identity, then the second
        factor of the contact's portal users is cleared (they must enroll again)."""
        self._check_portal_mfa_reset_access()
        self._check_portal_mfa_to_reset()
        return self._action_reset_portal_mfa()

    def _check_portal_mfa_to_reset(self):
        """Refuse when a contact has no portal user with an authenticator app: nothing to reset."""
        for partner in self:
            users = partner._get_portal_mfa_users()
            if not users:
                raise UserError(
                    self.env._(
                        "%s has no portal access: there is no multi-factor authentication to reset.",
                        partner.display_name,
                    )
                )
            if not users.filtered('totp_enabled'):
                raise UserError(
                    self.env._(
                        "%s has not set up multi-factor authentication: there is nothing to reset.",
                        partner.display_name,
                    )
                )

    @check_identity
    def _action_reset_portal_mfa(self):
        self._check_portal_mfa_reset_access()
        self._check_portal_mfa_to_reset()
        for partner in self:
            users = partner._get_portal_mfa_users().filtered('totp_enabled')
            users._portal_mfa_reset()
            partner.sudo().message_post(
                body=self.env._("Portal multi-factor authentication reset by %s.", self.env.user.name),
                subtype_xmlid='mail.mt_note',
            )
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {
                'type': 'success',
                'message': self.env._("Portal multi-factor authentication reset: the customer must set it up again."),
                'next': {'type': 'ir.actions.act_window_close'},
            },
        }

    # ------------------------------------------------------------
    # Customer portal: My Details (P8, C13). Called on the caller's customer company (its commercial
    # partner, never a parameter); the records written are checked to be its own, then written as
    # superuser on the allow-list of PORTAL_DETAILS_FIELDS only.
    # ------------------------------------------------------------

    def _portal_get_details_children(self, kind):
        """The active shipping addresses (``kind`` 'delivery') or contact persons ('contact') of this
        customer company, sudo."""
        self.ensure_one()
        return (
            self.env['res.partner']
            .sudo()
            .search(
                [
                    ('commercial_partner_id', '=', self.id),
                    ('id', '!=', self.id),
                    ('type', '=', kind),
                    ('is_company', '=', False),
                ],
                order='name, id',
            )
        )

    def _portal_get_details_child(self, kind, child_id):
        """The shipping address or contact person ``child_id`` (an id from the request) of this customer
        company, sudo; an empty recordset when it is none of its own (the route answers 404)."""
        self.ensure_one()
        Partner = self.env['res.partner'].sudo()
        try:
            child_id = int(child_id)
        except (TypeError, ValueError):
            return Partner
        if not 0 < child_id < 2**31:
            return Partner
        return Partner.search(
            [
                ('id', '=', child_id),
                ('id', 'child_of', self.id),
                ('commercial_partner_id', '=', self.id),
                ('id', '!=', self.id),
                ('type', '=', kind),
                ('is_company', '=', False),
            ],
            limit=1,
        )

    def _portal_can_edit_email(self, record):
        """Whether the caller may change the email of ``record``: not of a colleague who signs in to
        the portal (their password reset emails go there); their own, yes."""
        users = record.with_context(active_test=False).sudo().user_ids
        return not users or users == self.env.user

    def _portal_parse_details_value(self, field, value):
        """A value of the form for ``field``: ``(value, error)``, the value stripped, a many2one's record."""
        env = self.env
        label = field._description_string(env)
        if value is None or value is False:
            value = ''
        if not isinstance(value, str):
            return None, env._("%(field)s: enter a text.", field=label)
        value = value.strip()
        if PORTAL_DETAILS_FORBIDDEN_RE.search(value):
            return None, env._("%(field)s contains characters that are not allowed.", field=label)
        if len(value) > PORTAL_DETAILS_MAX_LENGTH:
            return None, env._(
                "%(field)s is too long: %(max)s characters at most.", field=label, max=PORTAL_DETAILS_MAX_LENGTH
            )
        if field.type != 'many2one':
            return value, None
        target = env[field.comodel_name].sudo()
        if value:
            if not (value.isascii() and value.isdigit() and int(value) < 2**31):
                return None, env._("%(field)s: choose one from the list.", field=label)
            target = target.browse(int(value)).exists()
            if not target:
                return None, env._("%(field)s: choose one from the list.", field=label)
        return target, None

    def _portal_check_details_address(self, kind, record, parsed, errors):
        """The fields an address must have when it is new or changes (street, city, country: stock's
        /my/account asks the same); adds to ``errors`` a state that is not one of the country."""
        if not record and kind == 'delivery':
            changed = True
        else:
            changed = any(
                fname in parsed and (parsed[fname] or False) != (record[fname] or False)
                for fname in PORTAL_ADDRESS_FIELDS
            )
        if not changed:
            return []
        env = self.env
        country = parsed['country_id'] if 'country_id' in parsed else record.country_id
        state = parsed['state_id'] if 'state_id' in parsed else record.state_id
        required = ['street', 'city', 'country_id']
        if state and state.country_id != country and 'state_id' not in errors:
            errors['state_id'] = env._(
                "%(state)s is not a state of %(country)s: choose the state again.",
                state=state.name,
                country=country.name or env._("the country"),
            )
        return required

    def _portal_clean_details(self, kind, record, values):
        """The values a customer sent for ``record`` (of ``kind``; empty when new), checked as the back
        office would: ``(clean, errors)`` where ``clean`` holds the fields to write (parsed, and only the
        ones that change) and ``errors`` maps a field name (or 'form') to a message. Fields absent from
        ``values`` keep their value."""
        self.ensure_one()
        env = self.env
        record = record.sudo()
        errors, parsed = {}, {}
        for fname in PORTAL_DETAILS_FIELDS[kind]:
            if fname in values:
                value, error = self._portal_parse_details_value(record._fields[fname], values[fname])
                if error:
                    errors[fname] = error
                else:
                    parsed[fname] = value
        if parsed.get('email') and not single_email_re.match(parsed['email']):
            errors['email'] = env._("Enter a valid email address, such as name@example.com.")
        required = ['name'] if kind in ('company', 'contact') else []
        if kind in ('company', 'delivery'):
            required += self._portal_check_details_address(kind, record, parsed, errors)
        for fname in required:
            if fname not in errors and not (parsed[fname] if fname in parsed else record[fname]):
                errors[fname] = env._("%(field)s is required.", field=record._fields[fname]._description_string(env))
        if kind == 'company' and not self.sudo().can_edit_vat():
            for fname in ('vat', 'country_id'):
                if fname in parsed and (parsed[fname] or False) != (record[fname] or False):
                    errors[fname] = env._(
                        "Your tax ID and country cannot be changed once invoices have been issued to you: "
                        "please contact us to change them."
                    )
        email_changed = 'email' in parsed and (parsed['email'] or False) != (record.email or False)
        if record and email_changed and not self._portal_can_edit_email(record):
            errors['email'] = env._(
                "Only %(name)s can change their email address, on their own account page: "
                "their portal sign-in emails are sent to it.",
                name=record.name,
            )
        clean = {
            fname: value.id if isinstance(value, models.BaseModel) else value
            for fname, value in parsed.items()
            if not record or (value or False) != (record[fname] or False)
        }
        return clean, errors

    def _portal_details_lines(self, record, clean, env):
        """The changes of ``clean`` on ``record`` (before the write) as <li> lines: field, before, after."""
        empty = env._("(empty)")
        lines = []
        for fname, value in clean.items():
            field = record._fields[fname]
            old = record[fname]
            if field.type == 'many2one':
                old = old.with_env(env).display_name
                value = env[field.comodel_name].sudo().with_env(env).browse(value).display_name if value else ''
            lines.append(
                Markup('<li>%s: %s &#8594; %s</li>') % (field._description_string(env), old or empty, value or empty)
            )
        return Markup('<ul>%s</ul>') % Markup().join(lines)

    def _portal_save_details(self, kind, record, values):
        """Validate and save ``values`` on ``record`` (of ``kind``: 'company', a shipping address 'delivery'
        or a contact person 'contact'; an empty recordset creates one, and a new contact person gets no
        portal access), log who changed what, before and after, on this customer company's chatter and
        notify the business (P6). Nothing is saved when anything is wrong. Returns ``(record, errors)``."""
        self.ensure_one()
        record = record.sudo()
        clean, errors = self._portal_clean_details(kind, record, values)
        if errors or (record and not clean):
            return record, errors
        customer = self.sudo()
        author = self.env.user.partner_id
        # The chatter is read by the business: in its language.
        log_env = customer.with_context(lang=self.env.user.company_id.partner_id.lang or self.env.lang).env
        try:
            with self.env.cr.savepoint():
                lines = self._portal_details_lines(record, clean, log_env)
                if kind == 'company':
                    customer._notify_portal_details_changed(clean)
                    # No tracking message besides ours: it says the same, before and after.
                    customer.with_context(mail_notrack=True).write(clean)
                    body = log_env._("%(name)s changed the company's details on the portal:", name=author.name)
                else:
                    new = not record
                    if new:
                        record = record.create({**clean, 'parent_id': customer.id, 'type': kind})
                    else:
                        record.write(clean)
                    body = self._portal_details_body(kind, 'added' if new else 'changed', record, author, log_env)
                    customer._notify_portal_activity(
                        'customer_portal.mt_portal_profile_changed',
                        lambda rec, new=new, record=record: self._portal_details_body(
                            kind, 'added' if new else 'changed', record, author, rec.env
                        ),
                    )
                customer.message_post(
                    body=Markup('<p>%s</p>%s') % (body, lines),
                    author_id=author.id,
                    subtype_xmlid='mail.mt_note',
                )
        except (ValidationError, UserError) as exc:
            return record.browse() if not record.exists() else record, {'form': exc.args[0]}
        return record, {}

    def _portal_details_body(self, kind, action, record, author, env):
        """The sentence of the chatter and of the P6 notice for a shipping address or contact person."""
        what = record.with_env(env).display_name if kind == 'delivery' else record.name
        params = {'name': author.name, 'what': what}
        if kind == 'delivery':
            if action == 'added':
                return env._("%(name)s added the shipping address %(what)s on the portal.", **params)
            if action == 'changed':
                return env._("%(name)s changed the shipping address %(what)s on the portal.", **params)
            return env._("%(name)s archived the shipping address %(what)s on the portal.", **params)
        if action == 'added':
            return env._("%(name)s added the contact person %(what)s on the portal.", **params)
        if action == 'changed':
            return env._("%(name)s changed the contact person %(what)s on the portal.", **params)
        return env._("%(name)s archived the contact person %(what)s on the portal.", **params)

    def _portal_update_company_details(self, values):
        """The customer company's name, email, phone, tax ID and billing address (its own address).
        Returns the errors (empty: saved)."""
        return self._portal_save_details('company', self, values)[1]

    def _portal_archive_details_child(self, kind, child):
        """Archive a shipping address or contact person of this customer company. Returns the errors."""
        self.ensure_one()
        child = child.sudo()
        env = self.env
        if kind == 'contact' and child == env.user.partner_id:
            return {'form': env._("You cannot archive yourself.")}
        if kind == 'contact' and child.with_context(active_test=False).user_ids:
            return {
                'form': env._(
                    "%(name)s has access to the portal: please contact us to remove it before archiving them.",
                    name=child.name,
                )
            }
        customer = self.sudo()
        author = env.user.partner_id
        log_env = customer.with_context(lang=env.user.company_id.partner_id.lang or env.lang).env
        try:
            with env.cr.savepoint():
                child.write({'active': False})
                customer.message_post(
                    body=self._portal_details_body(kind, 'archived', child, author, log_env),
                    author_id=author.id,
                    subtype_xmlid='mail.mt_note',
                )
                customer._notify_portal_activity(
                    'customer_portal.mt_portal_profile_changed',
                    lambda rec: self._portal_details_body(kind, 'archived', child, author, rec.env),
                )
        except (ValidationError, UserError) as exc:
            return {'form': exc.args[0]}
        return {}

    # ------------------------------------------------------------
    # What a portal contact may do (A9): permissions, presets, checks, the log of a change
    # ------------------------------------------------------------

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
        return self._get_portal_sections_visible(company)[section]

    def _get_portal_sections_visible(self, company=None):
        """Section -> ``_is_portal_section_visible``, for every section at once (the home asks for all)."""
        self.ensure_one()
        company = company or self.env.user.company_id
        may_view = self._has_portal_permission('view')
        return {section: enabled and may_view for section, enabled in company._get_portal_sections_enabled().items()}

    # ------------------------------------------------------------
    # Changes of permissions and portal language: who may make them, their log, their effect
    # ------------------------------------------------------------

    def write(self, vals):
        # EXTENDS base: a change of portal permissions is the business's (a portal user never writes its own),
        # and it is logged on the customer company's chatter with who made it (A9). A new portal language
        # becomes the language of the customer's existing portal users (A5).
        fields_changed = [field for field in PORTAL_PERMISSION_FIELDS.values() if field in vals]
        if fields_changed and self.env.user.share and not self.env.su:
            raise AccessError(self.env._("Only the business may change portal permissions."))
        before = {partner: {field: partner[field] for field in fields_changed} for partner in self if fields_changed}
        res = super().write(vals)
        for partner, old in before.items():
            changes = [field for field in fields_changed if old[field] != partner[field]]
            if changes:
                partner._log_portal_permission_change(changes)
        if vals.get('portal_lang'):
            for partner in self.filtered(lambda p: p == p.commercial_partner_id):
                users = partner._get_portal_access_users().filtered(lambda u: u.active and u._is_portal())
                users.partner_id.filtered(lambda p: p.lang != vals['portal_lang']).lang = vals['portal_lang']
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

    # ------------------------------------------------------------
    # Bringing customers in (A1-A5, C16, P5): invitation status, portal language, "Allow portal access"
    # ------------------------------------------------------------

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

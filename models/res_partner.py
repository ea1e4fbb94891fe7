import re
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.addons.base.models.res_users import check_identity
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_date

from odoo.addons.customer_portal.models.account_payment import clean_portal_reference

# Longest period a portal statement may cover (C5): longer ones are refused with a message.
PORTAL_STATEMENT_MAX_YEARS = 10
# A date of a custom statement period, exactly: four digits, two, two (ASCII only).
PORTAL_STATEMENT_DATE_RE = re.compile(r'[0-9]{4}-[0-9]{2}-[0-9]{2}')


class ResPartner(models.Model):
    _inherit = 'res.partner'

    portal_allow_bank_payment = fields.Boolean(
        string="Allow this customer to pay via bank account",
        help="Bank debit payment methods (ACH, SEPA Direct Debit and the like) are offered to this "
             "customer in the portal. Cards are offered to every customer.",
    )

    # ------------------------------------------------------------
    # Customer portal: balances and statements (C1, C5, C7)
    # ------------------------------------------------------------

    def _get_portal_ledger_partner_ids(self):
        """Ids of the customer company and all its contacts (archived included): journal items of
        payments may carry the contact who paid rather than the company."""
        commercial = self.commercial_partner_id
        # One query whatever the depth: a search with child_of costs one per level and one more.
        self.env['res.partner'].flush_model(['parent_id'])
        self.env.cr.execute(SQL(
            """
            WITH RECURSIVE tree(id) AS (
                SELECT %(id)s
                 UNION
                SELECT partner.id FROM res_partner partner JOIN tree ON partner.parent_id = tree.id
            )
            SELECT id FROM tree ORDER BY id
            """,
            id=commercial.id,
        ))
        return tuple(row[0] for row in self.env.cr.fetchall())

    def _get_portal_downpayment_moves_sql(self, partner_ids, company):
        """Customer invoices that are down-payment (retainer) invoices, as sale's
        ``account.move._is_downpayment()`` defines them: every sales order line they invoice is a
        down payment. Inlined as SQL so that no query runs per document."""
        return SQL(
            """
            SELECT inv_line.move_id
              FROM account_move_line inv_line
              JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = inv_line.id
              JOIN sale_order_line sol ON sol.id = rel.order_line_id
             WHERE inv_line.partner_id IN %(partner_ids)s
               AND inv_line.company_id = %(company_id)s
               AND inv_line.move_id IN (SELECT id FROM account_move WHERE move_type = 'out_invoice')
          GROUP BY inv_line.move_id
            HAVING bool_and(COALESCE(sol.is_downpayment, FALSE))
            """,
            partner_ids=partner_ids, company_id=company.id,
        )

    def _get_portal_retainer_invoice_ids(self, company=None):
        """Ids of the down-payment (retainer) invoices of this partner's company (C7)."""
        self.ensure_one()
        company = company or self.env.company
        self.env.flush_all()
        self.env.cr.execute(self._get_portal_downpayment_moves_sql(self._get_portal_ledger_partner_ids(), company))
        return [row[0] for row in self.env.cr.fetchall()]

    def _get_portal_balance_summary(self, company=None):
        """The Balance Summary of the portal home (C1) of this partner's company, read from the posted
        journal items of its receivable accounts in ``company``.

        Figures (company currency in ``totals``; per document currency in ``by_currency``):

        - ``outstanding_invoices``: what is left to pay on posted customer invoices (sum of the
          positive residuals of their receivable items);
        - ``available_credits``: what the business owes the customer and may still apply: unapplied
          credit notes and payments (minus the sum of the negative residuals);
        - ``balance_payable``: the receivable balance, i.e. debit minus credit of every posted
          receivable journal item of the customer, which is the customer's balance in the partner
          ledger. When every reconciliation stays within the customer's receivable items it equals
          outstanding_invoices - available_credits + any other open debit (e.g. a refund paid out
          before its credit note was posted);
        - ``outstanding_retainer_invoices``: the part of ``outstanding_invoices`` due on down-payment
          invoices;
        - ``available_retainer_payments``: down payments invoiced on fully paid down-payment invoices
          and not yet deducted from a final invoice (never below zero). They are not part of the
          receivable balance: once paid, a down payment is a liability of the business, not a credit
          the customer can apply.

        :param company: the company whose books are read (default: the current company)
        :return: dict with ``currency``, ``totals`` (dict of the figures above, company currency),
            ``by_currency`` (list of dicts with ``currency`` and the same figures in that currency)
            and ``multi_currency``
        """
        self.ensure_one()
        company = company or self.env.company
        partner_ids = self._get_portal_ledger_partner_ids()
        dp_moves = self._get_portal_downpayment_moves_sql(partner_ids, company)
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            WITH dp_moves AS (%(dp_moves)s)
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
                   SUM(aml.amount_residual) FILTER (
                       WHERE aml.move_id IN (SELECT move_id FROM dp_moves) AND aml.amount_residual > 0
                   ) AS outstanding_retainer_invoices,
                   SUM(aml.amount_residual_currency) FILTER (
                       WHERE aml.move_id IN (SELECT move_id FROM dp_moves) AND aml.amount_residual_currency > 0
                   ) AS outstanding_retainer_invoices_currency
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN account_move move ON move.id = aml.move_id
             WHERE account.account_type = 'asset_receivable'
               AND (aml.reconciled IS NULL OR aml.reconciled = false OR aml.reconciled IS NOT true)
               AND aml.parent_state = 'posted'
               AND aml.partner_id IN %(partner_ids)s
               AND aml.company_id = %(company_id)s
          GROUP BY aml.currency_id
            """,
            dp_moves=dp_moves, partner_ids=partner_ids, company_id=company.id,
        ))
        # Only open items have a residual: the condition above is, word for word, the one of stock's
        # partial index account_move_line__unreconciled_index, so the cost follows the open items, not
        # the customer's history. The balance needs every item: summed alone, without the join on
        # the journal entries, it costs a quarter of what it did inside the query above.
        rows = {row['currency_id']: row for row in self.env.cr.dictfetchall()}
        self.env.cr.execute(SQL(
            """
            SELECT aml.currency_id,
                   SUM(aml.balance) AS balance_payable,
                   SUM(aml.amount_currency) AS balance_payable_currency
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
             WHERE account.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND aml.partner_id IN %(partner_ids)s
               AND aml.company_id = %(company_id)s
          GROUP BY aml.currency_id
            """,
            partner_ids=partner_ids, company_id=company.id,
        ))
        balances = {row['currency_id']: row for row in self.env.cr.dictfetchall()}
        # Down payments not yet deducted: + on paid down-payment invoices, - where a final invoice
        # deducts them (negative quantity) or a credit note reverses them.
        self.env.cr.execute(SQL(
            """
            WITH dp_moves AS (%(dp_moves)s)
            SELECT move.currency_id,
                   SUM(CASE WHEN move.move_type = 'out_refund' THEN -1 ELSE 1 END * line.price_total)
                       AS amount_currency,
                   SUM(CASE WHEN move.move_type = 'out_refund' THEN -1 ELSE 1 END * line.price_total
                       * COALESCE(ABS(line.balance) / NULLIF(ABS(line.amount_currency), 0), 1)) AS amount
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id
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
               AND (move.id NOT IN (SELECT move_id FROM dp_moves)
                    OR move.payment_state IN ('paid', 'in_payment', 'reversed'))
          GROUP BY move.currency_id
            """,
            dp_moves=dp_moves, partner_ids=partner_ids, company_id=company.id,
        ))
        retainers = {row['currency_id']: row for row in self.env.cr.dictfetchall()}

        keys = ('outstanding_invoices', 'available_credits', 'balance_payable',
                'outstanding_retainer_invoices', 'available_retainer_payments')
        totals = dict.fromkeys(keys, 0.0)
        by_currency = []
        currencies = self.env['res.currency'].browse(sorted(set(rows) | set(balances) | set(retainers)))
        for currency in currencies:
            row = rows.get(currency.id, {})
            balance = balances.get(currency.id, {})
            retainer = retainers.get(currency.id, {})
            figures = {
                'currency': currency,
                'outstanding_invoices': currency.round(row.get('outstanding_invoices_currency') or 0.0),
                'available_credits': currency.round(row.get('available_credits_currency') or 0.0),
                'balance_payable': currency.round(balance.get('balance_payable_currency') or 0.0),
                'outstanding_retainer_invoices': currency.round(
                    row.get('outstanding_retainer_invoices_currency') or 0.0),
                'available_retainer_payments': currency.round(max(retainer.get('amount_currency') or 0.0, 0.0)),
            }
            by_currency.append(figures)
            totals['outstanding_invoices'] += row.get('outstanding_invoices') or 0.0
            totals['available_credits'] += row.get('available_credits') or 0.0
            totals['balance_payable'] += balance.get('balance_payable') or 0.0
            totals['outstanding_retainer_invoices'] += row.get('outstanding_retainer_invoices') or 0.0
            totals['available_retainer_payments'] += max(retainer.get('amount') or 0.0, 0.0)
        company_currency = company.currency_id
        totals = {key: company_currency.round(value) for key, value in totals.items()}
        return {
            'currency': company_currency,
            'totals': totals,
            'by_currency': by_currency,
            'multi_currency': len(by_currency) > 1 or any(f['currency'] != company_currency for f in by_currency),
        }

    @api.model
    def _get_portal_statement_period(self, period=None, date_from=None, date_to=None):
        """The (date_from, date_to) of a statement: a preset ``period`` (this_month, last_month,
        this_quarter, this_year) or, for 'custom', the given dates (ISO strings or dates).

        :raise UserError: with a message for the customer when the dates are not usable
        """
        today = fields.Date.context_today(self)
        period = period or 'this_month'
        if period == 'this_month':
            return today.replace(day=1), today + relativedelta(day=31)
        if period == 'last_month':
            start = today.replace(day=1) - relativedelta(months=1)
            return start, start + relativedelta(day=31)
        if period == 'this_quarter':
            start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
            return start, start + relativedelta(months=3, days=-1)
        if period == 'this_year':
            return date(today.year, 1, 1), date(today.year, 12, 31)
        if period != 'custom':
            raise UserError(self.env._("Unknown statement period."))
        try:
            start = self._parse_portal_statement_date(date_from) if date_from else None
            end = self._parse_portal_statement_date(date_to) if date_to else None
        except (TypeError, ValueError):
            raise UserError(self.env._("Enter the dates as YYYY-MM-DD, for example %s.", today.isoformat()))
        if not start or not end:
            raise UserError(self.env._("Enter a start date and an end date."))
        if start > end:
            raise UserError(self.env._("The start date must be on or before the end date."))
        if start.year < 1900 or end.year > 9998:
            raise UserError(self.env._("Enter dates between the years 1900 and 9998."))
        if end > start + relativedelta(years=PORTAL_STATEMENT_MAX_YEARS):
            raise UserError(self.env._(
                "A statement covers at most %s years. Choose a shorter period.", PORTAL_STATEMENT_MAX_YEARS,
            ))
        return start, end

    @api.model
    def _parse_portal_statement_date(self, value):
        """A date, or a string that is exactly a date (YYYY-MM-DD): ``fields.Date.to_date`` reads
        only the first 10 characters, so "2025-01-01xyz" would pass for 2025-01-01.

        :raise ValueError: when ``value`` is anything else
        """
        if isinstance(value, date):
            return fields.Date.to_date(value)
        if not isinstance(value, str) or not PORTAL_STATEMENT_DATE_RE.fullmatch(value):
            raise ValueError(f"not a date: {value!r}")
        return date.fromisoformat(value)

    def _get_portal_statement(self, date_from, date_to, company=None):
        """Statement of account (C5) of this partner's company between two dates, from the posted
        journal items of its receivable accounts in ``company``, one section per currency of the
        documents (amounts in that currency).

        Each section holds the opening balance (items before ``date_from``), one line per journal
        entry of the period (invoice, credit note, payment, refund, other entry) with its debit,
        credit and running balance, the closing balance (= opening + movements, the balance due at
        ``date_to``) and its aging: what was still open at ``date_to`` (reconciliations dated after
        it are ignored), by days past the due date as of ``aging_date``, the end of the period or
        today when the period ends later: current (not yet due), 1-30, 31-60,
        61-90 and over 90. ``company_closing`` is the closing balance in the company currency, the
        customer's balance in the partner ledger at ``date_to``.

        The number of queries does not depend on the number of documents.
        """
        self.ensure_one()
        company = company or self.env.company
        date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        # Aged as of the end of the period, or today when the period ends later: on the 22nd,
        # "This Month" ages what is open today, not what would be overdue on the 30th.
        aging_date = min(fields.Date.context_today(self), date_to)
        partner_ids = self._get_portal_ledger_partner_ids()
        self.env.flush_all()
        receivable = SQL(
            """
                       account.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND aml.partner_id IN %(partner_ids)s
                   AND aml.company_id = %(company_id)s
            """,
            partner_ids=partner_ids, company_id=company.id,
        )
        # Opening and closing balances, and the aging of what was open at date_to.
        self.env.cr.execute(SQL(
            """
            WITH open_items AS (
                SELECT aml.currency_id, aml.date, aml.amount_currency, aml.balance,
                       COALESCE(aml.date_maturity, aml.date) AS due_date,
                       aml.amount_currency
                       - COALESCE((SELECT SUM(part.debit_amount_currency) FROM account_partial_reconcile part
                                    WHERE part.debit_move_id = aml.id AND part.max_date <= %(date_to)s), 0)
                       + COALESCE((SELECT SUM(part.credit_amount_currency) FROM account_partial_reconcile part
                                    WHERE part.credit_move_id = aml.id AND part.max_date <= %(date_to)s), 0)
                       AS residual
                  FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
                 WHERE %(receivable)s
                   AND aml.date <= %(date_to)s
            )
            SELECT currency_id,
                   COALESCE(SUM(amount_currency) FILTER (WHERE date < %(date_from)s), 0) AS opening,
                   SUM(amount_currency) AS closing,
                   SUM(balance) AS closing_company,
                   COALESCE(SUM(residual) FILTER (WHERE %(aging_date)s - due_date <= 0), 0) AS age_current,
                   COALESCE(SUM(residual) FILTER (WHERE %(aging_date)s - due_date BETWEEN 1 AND 30), 0) AS age_1_30,
                   COALESCE(SUM(residual) FILTER (WHERE %(aging_date)s - due_date BETWEEN 31 AND 60), 0) AS age_31_60,
                   COALESCE(SUM(residual) FILTER (WHERE %(aging_date)s - due_date BETWEEN 61 AND 90), 0) AS age_61_90,
                   COALESCE(SUM(residual) FILTER (WHERE %(aging_date)s - due_date > 90), 0) AS age_90_plus
              FROM open_items
          GROUP BY currency_id
            """,
            receivable=receivable, date_from=date_from, date_to=date_to, aging_date=aging_date,
        ))
        balances = {row['currency_id']: row for row in self.env.cr.dictfetchall()}
        # The movements of the period, one line per journal entry and currency.
        self.env.cr.execute(SQL(
            """
            SELECT aml.currency_id, aml.move_id, MIN(aml.date) AS date,
                   move.name, move.ref, move.move_type, move.invoice_date_due,
                   payment.payment_type, payment.memo,
                   SUM(aml.amount_currency) AS amount
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN account_move move ON move.id = aml.move_id
         LEFT JOIN account_payment payment ON payment.id = move.origin_payment_id
             WHERE %(receivable)s
               AND aml.date BETWEEN %(date_from)s AND %(date_to)s
          GROUP BY aml.currency_id, aml.move_id, move.name, move.ref, move.move_type, move.invoice_date_due,
                   payment.payment_type, payment.memo
          ORDER BY MIN(aml.date), move.name, aml.move_id
            """,
            receivable=receivable, date_from=date_from, date_to=date_to,
        ))
        movements = self.env.cr.dictfetchall()

        type_labels = {
            'out_invoice': self.env._("Invoice"),
            'out_receipt': self.env._("Receipt"),
            'out_refund': self.env._("Credit Note"),
            'inbound': self.env._("Payment"),
            'outbound': self.env._("Refund"),
        }
        sections = []
        currencies = self.env['res.currency'].browse(sorted(balances))
        for currency in currencies:
            row = balances[currency.id]
            running = row['opening']
            lines = []
            for move in movements:
                if move['currency_id'] != currency.id:
                    continue
                running += move['amount']
                kind = move['payment_type'] if move['move_type'] == 'entry' else move['move_type']
                lines.append({
                    'date': move['date'],
                    'move_id': move['move_id'],
                    'name': move['name'],
                    'reference': clean_portal_reference(move['memo'] or move['ref'] or ''),
                    'type': type_labels.get(kind) or self.env._("Journal Entry"),
                    # Only what the customer owes has a due date; a credit note is owed to them.
                    'due_date': move['invoice_date_due'] if move['move_type'] in ('out_invoice', 'out_receipt') else False,
                    'debit': move['amount'] if move['amount'] > 0 else 0.0,
                    'credit': -move['amount'] if move['amount'] < 0 else 0.0,
                    'amount': move['amount'],
                    'balance': currency.round(running),
                })
            aging = {
                key: currency.round(row['age_' + key])
                for key in ('current', '1_30', '31_60', '61_90', '90_plus')
            }
            sections.append({
                'currency': currency,
                'opening': currency.round(row['opening']),
                'lines': lines,
                'total_debit': currency.round(sum(line['debit'] for line in lines)),
                'total_credit': currency.round(sum(line['credit'] for line in lines)),
                'closing': currency.round(row['closing']),
                'closing_company': company.currency_id.round(row['closing_company']),
                'aging': aging,
            })
        return {
            'partner': self.commercial_partner_id,
            'company': company,
            'date_from': date_from,
            'date_to': date_to,
            'aging_date': aging_date,
            'sections': sections,
            'company_currency': company.currency_id,
            'company_closing': company.currency_id.round(sum(s['closing_company'] for s in sections)),
        }

    def _get_portal_last_payment(self, company=None):
        """The latest payment received from this partner's company (Last Payment Made, C1), among
        the payments ``account.payment._get_portal_payment_domain`` lets its portal users see."""
        self.ensure_one()
        company = company or self.env.company
        Payment = self.env['account.payment'].sudo()
        domain = Payment._get_portal_payment_domain(self) + [('company_id', '=', company.id)]
        return Payment.search(domain, order='date desc, id desc', limit=1)

    # ------------------------------------------------------------
    # Customer portal: Reset Portal MFA (M4)
    # ------------------------------------------------------------

    portal_mfa_has_portal_user = fields.Boolean(
        string="Has Portal User", compute='_compute_portal_mfa_status', groups='base.group_erp_manager')
    portal_mfa_enabled = fields.Boolean(
        string="Portal MFA Set Up", compute='_compute_portal_mfa_status', groups='base.group_erp_manager')
    portal_mfa_status = fields.Char(
        string="Portal MFA", compute='_compute_portal_mfa_status', groups='base.group_erp_manager',
        help="Whether the portal user of this contact set up an authenticator app, and when.")

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
            if not users:
                partner.portal_mfa_status = False
            elif not enabled:
                partner.portal_mfa_status = self.env._("Not set up")
            else:
                dates = [d for d in enabled.mapped('portal_mfa_setup_date') if d]
                partner.portal_mfa_status = self.env._(
                    "Set up on %s",
                    format_date(self.env, fields.Datetime.context_timestamp(partner, max(dates)).date()),
                ) if dates else self.env._("Set up")

    def _check_portal_mfa_reset_access(self):
        if not (self.env.su or self.env.user._is_admin()):
            raise AccessError(self.env._("Only administrators can reset the multi-factor authentication of a customer."))

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
                raise UserError(self.env._(
                    "%s has no portal access: there is no multi-factor authentication to reset.",
                    partner.display_name))
            if not users.filtered('totp_enabled'):
                raise UserError(self.env._(
                    "%s has not set up multi-factor authentication: there is nothing to reset.",
                    partner.display_name))

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

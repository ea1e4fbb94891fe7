import re
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.customer_portal.models.account_payment import clean_portal_reference
from odoo.addons.customer_portal.tools.formatting import amount_formatter, date_formatter

# Longest period a portal statement may cover (C5): longer ones are refused with a message.
PORTAL_STATEMENT_MAX_YEARS = 10
# A date of a custom statement period, exactly: four digits, two, two (ASCII only).
PORTAL_STATEMENT_DATE_RE = re.compile(r'[0-9]{4}-[0-9]{2}-[0-9]{2}')
AGING_BUCKETS = ('current', '1_30', '31_60', '61_90', '90_plus')
# Most lines the statement page lists (issue 16): a longer period shows its balances and aging and
# sends to a shorter period or the PDF (a page of 7,000 lines weighed 5 MB and held a worker seconds).
PORTAL_STATEMENT_PAGE_MAX_LINES = 2000


class ReportPortalStatement(models.AbstractModel):
    """The statement of account (C5) of a customer company: its period, lines, running balance and
    aging, computed here for the portal page (/my/statement) and for the PDF, whose QWeb only renders.

    Amounts and dates are formatted here, in the reader's language, as the monetary and date widgets
    write them (tools/formatting.py)."""

    _name = 'report.customer_portal.report_portal_statement'
    _description = "Statement of Account"

    @api.model
    def _get_report_values(self, docids, data=None):
        """The report of the partners ``docids``: ``data`` gives ``date_from``, ``date_to`` (ISO) and
        ``company_id`` (the portal route passes them); printed from the partner form without them,
        it covers this year in the current company."""
        data = data or {}
        company = self.env['res.company'].browse(data['company_id']) if data.get('company_id') else self.env.company
        if data.get('date_from') and data.get('date_to'):
            date_from, date_to = data['date_from'], data['date_to']
        else:
            date_from, date_to = self._get_period('this_year')
        docs = self.env['res.partner'].browse(docids)
        return {
            'doc_ids': docids,
            'doc_model': 'res.partner',
            'docs': docs,
            'company': company,
            # Each document in its reader's language, as the QWeb renders it (t-lang).
            'statements': {
                doc.id: self.with_context(lang=doc.portal_lang or doc.lang or self.env.lang)._get_statement(
                    doc, date_from, date_to, company
                )
                for doc in docs
            },
        }

    @api.model
    def _get_period(self, period=None, date_from=None, date_to=None):
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
            start = self._parse_date(date_from) if date_from else None
            end = self._parse_date(date_to) if date_to else None
        except (TypeError, ValueError):
            raise UserError(self.env._("Enter the dates as YYYY-MM-DD, for example %s.", today.isoformat())) from None
        if not start or not end:
            raise UserError(self.env._("Enter a start date and an end date."))
        if start > end:
            raise UserError(self.env._("The start date must be on or before the end date."))
        if start.year < 1900 or end.year > 9998:
            raise UserError(self.env._("Enter dates between the years 1900 and 9998."))
        if end > start + relativedelta(years=PORTAL_STATEMENT_MAX_YEARS):
            raise UserError(
                self.env._(
                    "A statement covers at most %s years. Choose a shorter period.",
                    PORTAL_STATEMENT_MAX_YEARS,
                )
            )
        return start, end

    @api.model
    def _parse_date(self, value):
        """A date, or a string that is exactly a date (YYYY-MM-DD): ``fields.Date.to_date`` reads
        only the first 10 characters, so "2025-01-01xyz" would pass for 2025-01-01.

        :raise ValueError: when ``value`` is anything else
        """
        if isinstance(value, date):
            return fields.Date.to_date(value)
        if not isinstance(value, str) or not PORTAL_STATEMENT_DATE_RE.fullmatch(value):
            raise ValueError(f"not a date: {value!r}")
        return date.fromisoformat(value)

    @api.model
    def _get_statement(self, partner, date_from, date_to, company=None, max_lines=None):
        """Statement of account of ``partner``'s company between two dates, from the posted journal
        items of its receivable accounts in ``company``, one section per currency of the documents
        (amounts in that currency).

        Each section holds the opening balance (items before ``date_from``), one line per journal
        entry of the period (invoice, credit note, payment, refund, other entry) with its debit,
        credit and running balance, the closing balance (= opening + movements, the balance due at
        ``date_to``) and its aging: what was still open at ``date_to`` (reconciliations dated after
        it are ignored), by days past the due date as of ``aging_date``, the end of the period or
        today when the period ends later: current (not yet due), 1-30, 31-60, 61-90 and over 90.
        ``company_closing`` is the closing balance in the company currency, the customer's balance
        in the partner ledger at ``date_to``. Every figure has its text in ``<key>_display``.

        With ``max_lines``, a period of more lines than that keeps its balances, totals and aging but
        lists no line, and ``lines_omitted`` says how many it has (the page lists at most that many;
        the PDF lists them all).

        The number of queries does not depend on the number of documents.
        """
        partner.ensure_one()
        company = company or self.env.company
        date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        # Aged as of the end of the period, or today when the period ends later: on the 22nd,
        # "This Month" ages what is open today, not what would be overdue on the 30th.
        aging_date = min(fields.Date.context_today(self), date_to)
        balances, movements = self._query_statement(partner, company, date_from, date_to, aging_date)
        format_day = date_formatter(self.env)
        type_labels = {
            'out_invoice': self.env._("Invoice"),
            'out_receipt': self.env._("Receipt"),
            'out_refund': self.env._("Credit Note"),
            'inbound': self.env._("Payment"),
            'outbound': self.env._("Refund"),
        }
        other_label = self.env._("Journal Entry")
        line_count = sum(len(rows) for rows in movements.values())
        omit_lines = max_lines is not None and line_count > max_lines
        sections = []
        for currency in self.env['res.currency'].browse(sorted(balances)):
            row = balances[currency.id]
            format_amount = amount_formatter(self.env, currency)
            running = row['opening']
            lines = []
            moves = movements.get(currency.id, [])
            for move in () if omit_lines else moves:
                amount = move['amount']
                running += amount
                kind = move['payment_type'] if move['move_type'] == 'entry' else move['move_type']
                # Only what the customer owes has a due date; a credit note is owed to them.
                due_date = move['invoice_date_due'] if move['move_type'] in ('out_invoice', 'out_receipt') else False
                line = {
                    'date': move['date'],
                    'move_id': move['move_id'],
                    'name': move['name'],
                    'reference': clean_portal_reference(move['memo'] or move['ref'] or ''),
                    'type': type_labels.get(kind) or other_label,
                    'due_date': due_date,
                    'debit': amount if amount > 0 else 0.0,
                    'credit': -amount if amount < 0 else 0.0,
                    'amount': amount,
                    'balance': currency.round(running),
                }
                line.update(
                    date_display=format_day(line['date']),
                    due_date_display=format_day(due_date),
                    debit_display=format_amount(line['debit']) if line['debit'] else '',
                    credit_display=format_amount(line['credit']) if line['credit'] else '',
                    amount_display=format_amount(amount),
                    balance_display=format_amount(line['balance']),
                )
                lines.append(line)
            section = {
                'currency': currency,
                'opening': currency.round(row['opening']),
                'lines': lines,
                'total_debit': currency.round(sum(move['amount'] for move in moves if move['amount'] > 0)),
                'total_credit': currency.round(-sum(move['amount'] for move in moves if move['amount'] < 0)),
                'closing': currency.round(row['closing']),
                'closing_company': company.currency_id.round(row['closing_company']),
                'aging': {key: currency.round(row['age_' + key]) for key in AGING_BUCKETS},
            }
            for key in ('opening', 'total_debit', 'total_credit', 'closing'):
                section[key + '_display'] = format_amount(section[key])
            section['aging_display'] = {key: format_amount(value) for key, value in section['aging'].items()}
            sections.append(section)
        company_closing = company.currency_id.round(sum(s['closing_company'] for s in sections))
        return {
            'partner': partner.commercial_partner_id,
            'company': company,
            'date_from': date_from,
            'date_to': date_to,
            'aging_date': aging_date,
            'sections': sections,
            'lines_omitted': line_count if omit_lines else 0,
            'max_lines': max_lines,
            'company_currency': company.currency_id,
            'company_closing': company_closing,
            'date_from_display': format_day(date_from),
            'date_to_display': format_day(date_to),
            'aging_date_display': format_day(aging_date),
            'company_closing_display': amount_formatter(self.env, company.currency_id)(company_closing),
        }

    @api.model
    def _query_statement(self, partner, company, date_from, date_to, aging_date):
        """The balances and aging per currency, and the movements of the period per currency (one
        row per journal entry and currency, in date order): two queries whatever the volume."""
        partner_ids = partner._get_portal_ledger_partner_ids()
        self.env['account.move.line'].flush_model([
            'account_id', 'amount_currency', 'balance', 'company_id', 'currency_id', 'date', 'date_maturity',
            'move_id', 'parent_state', 'partner_id'
        ])  # fmt: skip
        self.env['account.account'].flush_model(['account_type'])
        self.env['account.partial.reconcile'].flush_model([
            'credit_amount_currency', 'credit_move_id', 'debit_amount_currency', 'debit_move_id', 'max_date'
        ])  # fmt: skip
        self.env['account.move'].flush_model(['invoice_date_due', 'move_type', 'name', 'origin_payment_id', 'ref'])
        self.env['account.payment'].flush_model(['memo', 'payment_type'])
        receivable = SQL(
            """
                       account.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND aml.partner_id IN %(partner_ids)s
                   AND aml.company_id = %(company_id)s
            """,
            partner_ids=partner_ids,
            company_id=company.id,
        )
        # Opening and closing balances, and the aging of what was open at date_to.
        balance_rows = self.env.execute_query_dict(SQL(
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
        ))  # fmt: skip
        # The movements of the period, one line per journal entry and currency.
        movement_rows = self.env.execute_query_dict(SQL(
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
        ))  # fmt: skip
        movements = {}
        for row in movement_rows:
            movements.setdefault(row['currency_id'], []).append(row)
        return {row['currency_id']: row for row in balance_rows}, movements

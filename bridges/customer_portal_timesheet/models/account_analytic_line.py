# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

APPROVAL_STATES = [
    ('draft', "Not Submitted"),
    ('to_approve', "Awaiting Approval"),
    ('approved', "Approved"),
    ('declined', "Declined"),
]
# What the customer approved of an entry: a change of any of these sends it back to draft (to submit again).
APPROVED_FIELDS = ('unit_amount', 'date', 'task_id', 'project_id', 'employee_id', 'so_line')


class AccountAnalyticLine(models.Model):
    _inherit = 'account.analytic.line'

    portal_approval_state = fields.Selection(
        APPROVAL_STATES,
        string="Client Approval",
        default='draft',
        required=True,
        copy=False,
        index=True,
        readonly=True,
        help="In a project whose time entries need client approval, an entry is invoiced once the customer "
        "approved it on the portal; staff submit entries for approval, the customer approves or declines them.",
    )
    portal_decline_reason = fields.Text(string="Decline Reason", copy=False, readonly=True)
    portal_decided_by_id = fields.Many2one('res.partner', string="Approved or Declined By", copy=False, readonly=True)
    portal_decided_on = fields.Datetime(string="Approved or Declined On", copy=False, readonly=True)

    # -- staff -------------------------------------------------------

    def action_submit_client_approval(self):
        """Submit the time entries to the customer for approval (staff): those of projects that need client
        approval, not submitted yet or declined, and not invoiced."""
        lines = self.filtered(
            lambda line: (
                line.project_id.portal_timesheet_approval
                and line.portal_approval_state in ('draft', 'declined')
                and line._is_not_billed()
            )
        )
        if not lines:
            raise UserError(
                self.env._(
                    "None of the selected time entries can be submitted for client approval: only the entries "
                    "of projects that need client approval, not submitted yet or declined, and not invoiced."
                )
            )
        lines.write({'portal_approval_state': 'to_approve', 'portal_decline_reason': False})
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {
                'type': 'success',
                'message': self.env._("%(count)s time entries submitted for client approval.", count=len(lines))
                if len(lines) > 1
                else self.env._("1 time entry submitted for client approval."),
                'next': {'type': 'ir.actions.act_window_close'},
            },
        }

    def write(self, vals):
        # EXTENDS hr_timesheet: an entry approved by the customer, or awaiting its approval, whose time changes
        # (hours, date, task, project, person, order item) goes back to "Not Submitted": staff submit it again,
        # and it is not invoiced until the customer approves it again.
        if 'portal_approval_state' not in vals and any(fname in vals for fname in APPROVED_FIELDS):
            changed = self.filtered(
                lambda line: (
                    line.portal_approval_state in ('to_approve', 'approved') and line._portal_time_changes(vals)
                )
            )
            if changed:
                super(AccountAnalyticLine, changed).write({**vals, 'portal_approval_state': 'draft'})
                rest = self - changed
                return super(AccountAnalyticLine, rest).write(vals) if rest else True
        return super().write(vals)

    def _portal_time_changes(self, vals):
        """Does writing ``vals`` change what the customer approved of this entry?"""
        self.ensure_one()
        for fname in APPROVED_FIELDS:
            if fname not in vals:
                continue
            field = self._fields[fname]
            new = field.convert_to_record(field.convert_to_cache(vals[fname], self), self)
            if new != self[fname]:
                return True
        return False

    @api.model
    def _get_portal_invoiceable_domain(self):
        """The time entries that may be invoiced (P16): approved by the customer when their project needs its
        approval; never those awaiting approval or declined."""
        return [
            ('portal_approval_state', 'not in', ('to_approve', 'declined')),
            '|',
            ('project_id.portal_timesheet_approval', '=', False),
            ('portal_approval_state', '=', 'approved'),
        ]

    # -- customer ----------------------------------------------------

    @api.model
    def _get_portal_approvable_domain(self, partner, project=None):
        """The time entries awaiting the approval of ``partner``'s customer company (of ``project``)."""
        domain = [
            ('portal_approval_state', '=', 'to_approve'),
            ('project_id.portal_timesheet_approval', '=', True),
            ('project_id.privacy_visibility', '=', 'portal'),
            ('project_id.partner_id.commercial_partner_id', '=', partner.commercial_partner_id.id),
        ]
        return domain + [('project_id', '=', project.id)] if project else domain

    @api.model
    def _portal_decide(self, line_ids, partner, approve, reason=None):
        """The customer ``partner`` approves (or declines, with ``reason``) the time entries ``line_ids``
        awaiting its company's approval (P16). Sudo model; the caller passes the ids the customer sent.

        Refused with a clear message, changing nothing, when an id is not an entry awaiting this customer's
        approval, or when a decline has no reason. Two contacts deciding the same entry at once give one
        decision: the rows are locked without waiting and updated only while still awaiting approval; the
        loser is told that the entries are being decided, no error is logged.

        :return: the entries decided by this call.
        """
        _ = self.env._
        reason = (reason or '').strip()
        if not approve and not reason:
            raise UserError(_("Say why you decline the time entries: the reason goes to the team."))
        if not line_ids:
            raise UserError(_("Select the time entries to approve or decline."))
        mine = self.search(
            [('id', 'in', list(line_ids)), *self._get_portal_approvable_domain(partner)[1:]]
        )  # awaiting or already decided: the state is checked under the lock below
        if len(mine) != len(set(line_ids)):
            raise UserError(_("Some of the selected time entries are not yours to approve. Nothing was changed."))
        self.env.flush_all()
        ids = tuple(sorted(mine.ids))
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL("SELECT id FROM account_analytic_line WHERE id IN %s ORDER BY id FOR UPDATE NOWAIT", ids),
                    log_exceptions=False,
                )
                self.env.cr.execute(
                    SQL(
                        """UPDATE account_analytic_line
                              SET portal_approval_state = %(state)s, portal_decline_reason = %(reason)s,
                                  portal_decided_by_id = %(partner)s, portal_decided_on = %(now)s,
                                  write_uid = %(uid)s, write_date = %(now)s
                            WHERE id IN %(ids)s AND portal_approval_state = 'to_approve'
                        RETURNING id""",
                        state='approved' if approve else 'declined',
                        reason=None if approve else reason,
                        partner=partner.id,
                        now=fields.Datetime.now(),
                        uid=self.env.uid,
                        ids=ids,
                    ),
                    log_exceptions=False,
                )
                decided = self.browse(sorted(row[0] for row in self.env.cr.fetchall()))
        except (pg_errors.LockNotAvailable, pg_errors.SerializationFailure):
            _logger.info("time entries %s: decided by another contact at the same time", ids)
            raise UserError(
                _(
                    "Another contact of your company is deciding on these time entries right now. Reload the "
                    "page to see their decision."
                )
            ) from None
        fnames = ['portal_approval_state', 'portal_decline_reason', 'portal_decided_by_id', 'portal_decided_on']
        mine.invalidate_recordset([*fnames, 'write_uid', 'write_date'])
        # The delivered quantities of the order items follow (sale_timesheet counts approved entries only).
        decided.modified(['portal_approval_state'])
        if decided:
            decided._portal_notify_decision(partner, approve, reason)
        return decided

    def _portal_notify_decision(self, partner, approve, reason):
        """Tell the team: a declined entry goes back to its person (an activity on its task, with the reason);
        each project's business is notified of approvals and declines (P6)."""
        for project in self.project_id:
            lines = self.filtered(lambda line, project=project: line.project_id == project)
            if not approve:
                for task, task_lines in lines.grouped('task_id').items():
                    record = task or project
                    user = task_lines.user_id[:1] or project.user_id or self.env.user
                    record.activity_schedule(
                        'mail.mail_activity_data_todo',
                        summary=self.env._("Time entries declined by the customer"),
                        note=self.env._(
                            "%(customer)s declined %(hours)s h of time entries: %(reason)s",
                            customer=partner.name,
                            hours=round(sum(task_lines.mapped('unit_amount')), 2),
                            reason=reason,
                        ),
                        user_id=user.id,
                    )
            project._notify_portal_activity(
                'customer_portal_timesheet.mt_portal_timesheet_decision',
                lambda record, lines=lines: lines.with_env(record.env)._portal_decision_message(
                    partner, approve, reason
                ),
                author=partner,
            )

    def _portal_decision_message(self, partner, approve, reason):
        """What the business reads of a decision on these entries (in the language of ``self.env``)."""
        _ = self.env._
        values = {'customer': partner.name, 'count': len(self), 'hours': round(sum(self.mapped('unit_amount')), 2)}
        if approve:
            if len(self) == 1:
                return _("%(customer)s approved 1 time entry (%(hours)s h).", **values)
            return _("%(customer)s approved %(count)s time entries (%(hours)s h).", **values)
        if len(self) == 1:
            return _("%(customer)s declined 1 time entry (%(hours)s h): %(reason)s", reason=reason, **values)
        return _("%(customer)s declined %(count)s time entries (%(hours)s h): %(reason)s", reason=reason, **values)

    def _get_portal_billing_status(self):
        """The billing status of the entry as sale_timesheet records it: invoiced (linked to an invoice that is
        not cancelled), else its billable type."""
        self.ensure_one()
        if not self._is_not_billed():
            return 'invoiced'
        if self.timesheet_invoice_type == 'billable_time':
            return 'to_invoice'
        if self.timesheet_invoice_type in ('billable_fixed', 'billable_milestones', 'billable_manual'):
            return 'other'
        return 'non_billable'

    @api.model
    def _get_portal_billing_labels(self):
        _ = self.env._
        return {
            'invoiced': _("Invoiced"),
            'to_invoice': _("To invoice"),
            'other': _("Billed on the order"),
            'non_billable': _("Not billable"),
        }

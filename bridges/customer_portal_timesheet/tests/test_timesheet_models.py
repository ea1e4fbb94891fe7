# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import threading
import time
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.customer_portal.tests.common import ErrorRecords

from .common import TimesheetCase


@tagged('post_install', '-at_install')
class TestTimesheetHours(TimesheetCase):
    """Hours per task, billing status and invoicing, as sale_timesheet computes them (P16)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls._new_project(cls.customer, "Acme Website")
        cls.design, cls.build = cls.project.task_ids.sorted('id')
        cls.approved = cls._log(cls.design, 2.0, 'approved') | cls._log(cls.design, 1.5, 'approved')
        cls.waiting = cls._log(cls.build, 3.0, 'to_approve') | cls._log(cls.build, 0.5, 'to_approve')
        cls.declined = cls._log(cls.build, 4.0, 'declined')
        cls.draft = cls._log(cls.design, 1.0)
        cls.order_line = cls.project.sale_line_id

    def test_invoicing_excludes_entries_awaiting_approval(self):
        """The order delivers and invoices the approved hours only; the others stay uninvoiced until approved."""
        self.assertAlmostEqual(self.order_line.qty_delivered, 3.5)
        invoice = self.order_line.order_id._create_invoices()
        self.assertAlmostEqual(invoice.invoice_line_ids.quantity, 3.5, msg="3.5 approved hours invoiced")
        self.assertEqual(self.approved.timesheet_invoice_id, invoice)
        self.assertFalse((self.waiting | self.declined | self.draft).timesheet_invoice_id)
        # Approved later, they are delivered and go on the next invoice.
        self.env['account.analytic.line']._portal_decide(self.waiting.ids, self.contact, True)
        self.assertEqual(set(self.waiting.mapped('portal_approval_state')), {'approved'})
        self.assertAlmostEqual(self.order_line.qty_delivered, 7.0)
        invoice.action_post()
        second = self.order_line.order_id._create_invoices()
        self.assertAlmostEqual(second.invoice_line_ids.quantity, 3.5)
        self.assertEqual(self.waiting.timesheet_invoice_id, second)

    def test_hours_per_task_equal_sums(self):
        """Logged, billed and unbilled hours of each task are the sums of its time entries."""
        invoice = self.order_line.order_id._create_invoices()
        invoice.action_post()
        hours = self.project._get_portal_hours_by_task()
        for task in (self.design, self.build):
            lines = self.env['account.analytic.line'].search([('task_id', '=', task.id)])
            billed = lines.filtered(lambda line: not line._is_not_billed())
            unbilled = lines.filtered(
                lambda line: line._is_not_billed() and line.timesheet_invoice_type == 'billable_time'
            )
            self.assertAlmostEqual(hours[task]['logged'], sum(lines.mapped('unit_amount')))
            self.assertAlmostEqual(hours[task]['billed'], sum(billed.mapped('unit_amount')))
            self.assertAlmostEqual(hours[task]['unbilled'], sum(unbilled.mapped('unit_amount')))
        self.assertEqual(hours[self.design], {'logged': 4.5, 'billed': 3.5, 'unbilled': 1.0})
        self.assertEqual(hours[self.build], {'logged': 7.5, 'billed': 0.0, 'unbilled': 7.5})
        # A cancelled invoice bills nothing any more, as sale_timesheet's _is_not_billed says.
        invoice.button_draft()
        invoice.button_cancel()
        self.assertEqual(self.project._get_portal_hours_by_task()[self.design]['billed'], 0.0)

    def test_billing_status_matches_sale_timesheet(self):
        """Each entry's billing status is sale_timesheet's: invoiced when linked to an invoice, else its type."""
        self.order_line.order_id._create_invoices().action_post()
        non_billable = self.env['account.analytic.line'].create(
            {'name': "Internal", 'project_id': self.project.id, 'employee_id': self.employee.id, 'unit_amount': 1}
        )
        non_billable.so_line = False
        for line in self.project.timesheet_ids:
            expected = (
                'invoiced'
                if line.timesheet_invoice_id and line.timesheet_invoice_id.state != 'cancel'
                else {'billable_time': 'to_invoice', 'non_billable': 'non_billable'}[line.timesheet_invoice_type]
            )
            self.assertEqual(line._get_portal_billing_status(), expected, line.name)
        self.assertEqual(non_billable._get_portal_billing_status(), 'non_billable')
        self.assertEqual(set(self.approved.mapped(lambda line: line._get_portal_billing_status())), {'invoiced'})

    def test_approved_entry_changed_goes_back_to_draft(self):
        """Staff changing the hours of an approved entry send it back to "Not Submitted" (approved again
        before it is invoiced); a change of its description keeps the approval."""
        entry = self.approved[0]
        entry.name = "Reworded"
        self.assertEqual(entry.portal_approval_state, 'approved')
        entry.unit_amount = entry.unit_amount  # the same hours: no change
        self.assertEqual(entry.portal_approval_state, 'approved')
        entry.unit_amount = 5.0
        self.assertEqual(entry.portal_approval_state, 'draft')
        self.assertAlmostEqual(self.order_line.qty_delivered, 1.5)
        self.waiting[0].date = self.waiting[0].date.replace(day=1)
        self.assertEqual(self.waiting[0].portal_approval_state, 'draft')

    def test_submit_for_client_approval(self):
        """Staff submit draft and declined entries; those of a project without approval are refused."""
        (self.draft | self.declined).action_submit_client_approval()
        self.assertEqual(set((self.draft | self.declined).mapped('portal_approval_state')), {'to_approve'})
        self.assertFalse(self.declined.portal_decline_reason)
        free = self._new_project(self.customer, "No approval", approval=False)
        entry = self._log(free.task_ids[0], 1.0)
        with self.assertRaises(UserError):
            entry.action_submit_client_approval()
        self.assertEqual(entry.portal_approval_state, 'draft')
        self.assertAlmostEqual(free.sale_line_id.qty_delivered, 1.0, msg="no approval needed: delivered at once")

    def test_decide(self):
        """Approve, decline with a reason (an activity for the team), refusals that change nothing."""
        Line = self.env['account.analytic.line']
        with self.assertRaisesRegex(UserError, "reason"):
            Line._portal_decide(self.waiting.ids, self.contact, False, reason="  ")
        other = self._new_project(self.other_customer, "Other Secret")
        foreign = self._log(other.task_ids[0], 2.0, 'to_approve')
        with self.assertRaisesRegex(UserError, "not yours"):
            Line._portal_decide((self.waiting | foreign).ids, self.contact, True)
        self.assertEqual(set((self.waiting | foreign).mapped('portal_approval_state')), {'to_approve'})
        # P6: the project manager is told of the decision.
        self.company.portal_activity_notify = True
        manager = new_test_user(self.env, login='ts_manager', groups='project.group_project_manager')
        self.project.user_id = manager
        decided = Line._portal_decide(self.waiting[:1].ids, self.contact, False, reason="Not agreed")
        subtype = self.env.ref('customer_portal_timesheet.mt_portal_timesheet_decision')
        notice = self.project.message_ids.filtered(lambda message: message.subtype_id == subtype)
        self.assertEqual(len(notice), 1)
        self.assertIn("Ann Acme declined 1 time entry (3.0 h): Not agreed", notice.body)
        self.assertIn(manager.partner_id, notice.partner_ids)
        self.assertEqual(decided, self.waiting[:1])
        self.assertEqual(decided.portal_approval_state, 'declined')
        self.assertEqual(decided.portal_decline_reason, "Not agreed")
        self.assertEqual(decided.portal_decided_by_id, self.contact)
        activity = self.build.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("Not agreed", activity.note)
        # Deciding again changes nothing: the entry is no longer awaiting approval.
        self.assertFalse(Line._portal_decide(self.waiting[:1].ids, self.colleague, True))
        self.assertEqual(self.waiting[0].portal_approval_state, 'declined')


@tagged('post_install', '-at_install')
class TestTimesheetApprovalConcurrency(TransactionCase):
    """Two contacts approve and decline the same entry at the same time, on real concurrent transactions:
    one decision, the other is told, no ERROR logged."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            Partner = env['res.partner']
            customer = Partner.create({'name': "Race Co", 'is_company': True})
            self.contacts = [
                Partner.create({'name': name, 'parent_id': customer.id}).id for name in ("Race Ann", "Race Bob")
            ]
            project = env['project.project'].create(
                {
                    'name': "Race Project",
                    'partner_id': customer.id,
                    'privacy_visibility': 'portal',
                    'allow_timesheets': True,
                    'portal_timesheet_approval': True,
                }
            )
            employee = env['hr.employee'].create({'name': "Race Employee"})
            line = env['account.analytic.line'].create(
                {'name': "Race", 'project_id': project.id, 'employee_id': employee.id, 'unit_amount': 2.0}
            )
            line.portal_approval_state = 'to_approve'
            self.ids_ = {
                'line': line.id,
                'project': project.id,
                'account': project.account_id.id,
                'employee': employee.id,
                'partners': [*self.contacts, customer.id],
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            ids = self.ids_
            env['account.analytic.line'].browse(ids['line']).unlink()
            env['mail.activity'].search(
                [('res_model', '=', 'project.project'), ('res_id', '=', ids['project'])]
            ).unlink()
            env['project.project'].browse(ids['project']).unlink()
            env['account.analytic.account'].browse(ids['account']).exists().unlink()
            env['hr.employee'].browse(ids['employee']).unlink()
            env['res.partner'].browse(ids['partners']).unlink()

    def test_concurrent_decisions_give_one(self):
        """Ann approves while Bob declines the same entry: one decision stands, the other is refused."""
        barrier = threading.Barrier(2)
        outcomes = {}

        def decide(contact_id, approve):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    cr.execute("SELECT 1")  # as a request: its snapshot is taken before it decides
                    barrier.wait(timeout=10)
                    partner = env['res.partner'].browse(contact_id)
                    try:
                        decided = env['account.analytic.line']._portal_decide(
                            [self.ids_['line']], partner, approve, reason="Too long"
                        )
                        outcomes[contact_id] = 'decided' if decided else 'none'
                    except UserError:
                        outcomes[contact_id] = 'refused'
                        cr.rollback()
                    time.sleep(0.5)  # the winner commits a moment after its decision
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                outcomes[contact_id] = repr(error)

        # why: the threads' environments look the registry up, whose lock the running tests hold.
        with patch.object(Registry, '_lock', DummyRLock()), ErrorRecords() as errors:
            threads = [
                threading.Thread(target=decide, args=(self.contacts[0], True)),
                threading.Thread(target=decide, args=(self.contacts[1], False)),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
        self.assertEqual(sorted(outcomes.values()), ['decided', 'refused'], outcomes)
        self.assertFalse(errors.records, [record.getMessage() for record in errors.records])
        winner = next(contact for contact, outcome in outcomes.items() if outcome == 'decided')
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT portal_approval_state, portal_decided_by_id FROM account_analytic_line WHERE id = %s",
                (self.ids_['line'],),
            )
            state, decided_by = cr.fetchone()
        self.assertEqual(decided_by, winner)
        self.assertEqual(state, 'approved' if winner == self.contacts[0] else 'declined')

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import html

from odoo.tests import tagged

from .common import TimesheetHttpCase


def page_text(element):
    """The words of an element as the customer reads them (no-break spaces as spaces, blanks collapsed)."""
    return ' '.join(element.text_content().replace('\xa0', ' ').split())


class HoursPageMixin:
    def _hours_page(self, project):
        response = self.url_open(f'/my/projects/{project.id}/hours')
        self.assertEqual(response.status_code, 200)
        return response, html.fromstring(response.text)

    def _post_decision(self, project, decision, line_ids, reason=None, page_project=None):
        """POST the hours page's form as the browser does (its CSRF token), on ``project``'s decision route."""
        page = self.url_open(f'/my/projects/{(page_project or project).id}/hours')
        data = [('csrf_token', self._csrf_token(page.text)), *(('line_ids', str(i)) for i in line_ids)]
        if reason is not None:
            data.append(('reason', reason))
        return self.url_open(f'/my/projects/{project.id}/hours/{decision}', data=data)


@tagged('post_install', '-at_install')
class TestProjectHoursSettings(HoursPageMixin, TimesheetHttpCase):
    """P16's setting: off, stock's project pages and ours answer 404 and the home has no project card."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls._new_project(cls.customer, "Acme Website")
        cls.task = cls.project.task_ids[0]
        cls.entry = cls._log(cls.task, 2.0, 'to_approve')

    def test_routes_refused_when_off(self):
        """Off: /my/projects, the project, its task, its hours, /my/tasks, /my/timesheets answer 404."""
        self.company.portal_view_timesheets = False
        self.authenticate('ts_ann', 'ts_ann')
        urls = (
            '/my/projects',
            f'/my/projects/{self.project.id}',
            f'/my/projects/{self.project.id}/hours',
            f'/my/projects/{self.project.id}/task/{self.task.id}',
            '/my/tasks',
            f'/my/tasks/{self.task.id}',
            '/my/timesheets',
            f'/my/tasks/{self.task.id}/orders/invoices',
        )
        for url in urls:
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 404, url)
            self.assertNotIn("Acme Website", response.text, url)
        # The decision route too, and nothing changes.
        self.company.portal_view_timesheets = True
        page = self.url_open(f'/my/projects/{self.project.id}/hours')
        self.company.portal_view_timesheets = False
        response = self.url_open(
            f'/my/projects/{self.project.id}/hours/approve',
            data={'csrf_token': self._csrf_token(page.text), 'line_ids': str(self.entry.id)},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.entry.portal_approval_state, 'to_approve')

    def test_home_when_off_and_on(self):
        """Off: no Projects card, no approval line on the home; on: "1 time entry awaiting your approval"."""
        self.company.portal_view_timesheets = False
        self.authenticate('ts_ann', 'ts_ann')
        home = self.url_open('/my')
        self.assertNotIn('/my/projects', home.text)
        self.assertNotIn('awaiting your approval', home.text)
        counters = self.make_jsonrpc_request('/my/counters', {'counters': ['project_count', 'timesheet_count']})
        self.assertEqual(counters.get('project_count'), 0)
        self.assertEqual(counters.get('timesheet_count'), 0)
        self.company.portal_view_timesheets = True
        home = html.fromstring(self.url_open('/my').text)
        alert = home.xpath("//div[contains(@class, 'o_cp_time_approval')]")
        self.assertEqual(page_text(alert[0]), "1 time entry awaiting your approval")
        self.assertEqual(alert[0].xpath('.//a/@href'), [f'/my/projects/{self.project.id}/hours'])
        self._log(self.task, 1.0, 'to_approve')
        home = html.fromstring(self.url_open('/my').text)
        alert = home.xpath("//div[contains(@class, 'o_cp_time_approval')]")
        self.assertEqual(page_text(alert[0]), "2 time entries awaiting your approval")


@tagged('post_install', '-at_install')
class TestProjectHoursAccess(HoursPageMixin, TimesheetHttpCase):
    """Who sees and decides which entry: the contacts of the project's customer company, nobody else."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls._new_project(cls.customer, "Acme Website")
        cls.entry = cls._log(cls.project.task_ids[0], 2.0, 'to_approve')
        cls.others = cls._new_project(cls.other_customer, "Other Secret Project")
        cls.foreign = cls._log(cls.others.task_ids[0], 3.0, 'to_approve')

    def test_other_customer_project_refused(self):
        """Another customer's project, an unknown id and an id beyond PostgreSQL's integers answer 404."""
        self.authenticate('ts_ann', 'ts_ann')
        for project_id in (self.others.id, self.others.id + 1000, 99999999999):
            response = self.url_open(f'/my/projects/{project_id}/hours', allow_redirects=False)
            self.assertEqual(response.status_code, 404, project_id)
            self.assertNotIn("Other Secret Project", response.text)
        self.assertNotIn("Other Secret Project", self.url_open('/my/projects').text)
        # Deciding on the other customer's project: 404, nothing changes.
        page = self.url_open(f'/my/projects/{self.project.id}/hours')
        response = self.url_open(
            f'/my/projects/{self.others.id}/hours/approve',
            data={'csrf_token': self._csrf_token(page.text), 'line_ids': str(self.foreign.id)},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.foreign.portal_approval_state, 'to_approve')

    def test_other_customer_entry_refused(self):
        """Another customer's entry (or a malformed id) sent with one's own: refused, nothing changes."""
        self.authenticate('ts_ann', 'ts_ann')
        for ids in ([self.entry.id, self.foreign.id], [self.foreign.id], [self.entry.id, 'x'], [99999999999]):
            response = self._post_decision(self.project, 'approve', ids)
            self.assertEqual(response.status_code, 200)
            self.assertIn("not yours to approve", response.text, ids)
        self.assertEqual((self.entry | self.foreign).mapped('portal_approval_state'), ['to_approve'] * 2)

    def test_approval_refused_without_permission(self):
        """A9 "Approve": a contact without it decides nothing (403 with the reason); its colleague with it does."""
        self.contact.portal_permission_preset = 'view_pay'
        self.authenticate('ts_ann', 'ts_ann')
        for decision in ('approve', 'decline'):
            response = self._post_decision(self.project, decision, [self.entry.id], reason="No")
            self.assertEqual(response.status_code, 403, decision)
            self.assertIn("does not allow you to accept or decline estimates or approve time entries", response.text)
        self.assertEqual(self.entry.portal_approval_state, 'to_approve')
        self.authenticate('ts_bob', 'ts_bob')
        self.assertEqual(self._post_decision(self.project, 'approve', [self.entry.id]).status_code, 200)
        self.assertEqual(self.entry.portal_approval_state, 'approved')

    def test_without_csrf_refused(self):
        """A POST without the CSRF token changes nothing."""
        self.authenticate('ts_ann', 'ts_ann')
        response = self.url_open(f'/my/projects/{self.project.id}/hours/approve', data={'line_ids': str(self.entry.id)})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.entry.portal_approval_state, 'to_approve')

    def test_colleague_sees_project(self):
        """A colleague of the customer company sees the project's hours; the other customer's contact does not."""
        self.authenticate('ts_bob', 'ts_bob')
        self.assertIn("Acme Website", self._hours_page(self.project)[0].text)
        self.authenticate('ts_olga', 'ts_olga')
        response = self.url_open(f'/my/projects/{self.project.id}/hours', allow_redirects=False)
        self.assertEqual(response.status_code, 404)


@tagged('post_install', '-at_install')
class TestProjectHoursPage(HoursPageMixin, TimesheetHttpCase):
    """The hours page: hours by task, entries with billing status, approve / decline / bulk."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project = cls._new_project(cls.customer, "Acme Website")
        cls.design, cls.build = cls.project.task_ids.sorted('id')
        cls.approved = cls._log(cls.design, 2.0, 'approved', name="Mock-ups")
        cls.project.sale_line_id.order_id._create_invoices().action_post()
        cls.waiting = (
            cls._log(cls.build, 1.5, 'to_approve', name="Templates")
            | cls._log(cls.build, 0.75, 'to_approve', name="Form")
            | cls._log(cls.build, 3.0, 'to_approve', name="Gallery")
        )

    def test_hours_and_entries(self):
        """The page shows each task's logged, billed and unbilled hours and each entry's billing status."""
        self.authenticate('ts_ann', 'ts_ann')
        _response, page = self._hours_page(self.project)
        rows = {
            row.get('data-task-id'): [page_text(cell) for cell in row.xpath('./td')]
            for row in page.xpath("//table[contains(@class, 'o_cp_task_hours')]/tbody/tr")
        }
        self.assertEqual(rows[str(self.design.id)], ["Design", "02:00", "02:00", "00:00"])
        self.assertEqual(rows[str(self.build.id)], ["Build", "05:15", "00:00", "05:15"])
        entries = {
            row.get('data-entry-id'): row
            for row in page.xpath("//table[contains(@class, 'o_cp_time_entries')]/tbody/tr")
        }
        mockups = entries[str(self.approved.id)]
        self.assertEqual(mockups.xpath('./td[@data-billing]/@data-billing'), ['invoiced'])
        self.assertIn("Invoiced", page_text(mockups))
        self.assertIn("Approved", page_text(mockups))
        self.assertIn("Dana Developer", page_text(mockups))
        self.assertFalse(mockups.xpath('.//input[@type="checkbox"]'), "an approved entry is not selectable")
        for entry in self.waiting:
            row = entries[str(entry.id)]
            self.assertEqual(row.xpath('./td[@data-billing]/@data-billing'), ['to_invoice'])
            self.assertIn("Awaiting Approval", page_text(row))
        self.assertIn("3 time entries awaiting your approval", page_text(page))

    def test_approve_decline_bulk(self):
        """Approve one, approve two at once, decline one with a reason (without one: refused)."""
        self.authenticate('ts_ann', 'ts_ann')
        one, two, three = self.waiting
        response = self._post_decision(self.project, 'approve', [one.id])
        self.assertIn("1 time entry approved.", response.text)
        self.assertEqual(one.portal_approval_state, 'approved')
        response = self._post_decision(self.project, 'decline', [two.id], reason="")
        self.assertIn("Say why you decline", response.text)
        self.assertEqual(two.portal_approval_state, 'to_approve')
        response = self._post_decision(self.project, 'decline', [two.id], reason="Not asked for")
        self.assertIn("1 time entry declined.", response.text)
        self.assertEqual(two.portal_approval_state, 'declined')
        self.assertEqual(two.portal_decline_reason, "Not asked for")
        self.assertIn("Not asked for", response.text)
        # Bulk, with an entry already decided: the one awaiting approval is approved, the other unchanged.
        response = self._post_decision(self.project, 'approve', [two.id, three.id])
        self.assertIn("1 time entry approved. The others were already approved or declined.", response.text)
        self.assertEqual(self.waiting.mapped('portal_approval_state'), ['approved', 'declined', 'approved'])
        self.assertAlmostEqual(self.project.sale_line_id.qty_delivered, 2.0 + 1.5 + 3.0)

    def test_query_count_does_not_grow(self):
        """The project page and the hours page read as many queries with 5 entries as with 50."""
        self.authenticate('ts_ann', 'ts_ann')
        counts = {}
        for total in (5, 50):
            while len(self.project.timesheet_ids) < total:
                self._log(self.build if len(self.project.timesheet_ids) % 2 else self.design, 0.5, 'to_approve')
            counts[total] = (
                self._count_queries(f'/my/projects/{self.project.id}'),
                self._count_queries(f'/my/projects/{self.project.id}/hours'),
            )
        self.assertEqual(counts[5], counts[50], counts)

    def test_tour_approve_two_decline_one(self):
        """In Chromium, the customer approves two entries and declines one with a reason."""
        one, two, three = self.waiting
        self.start_tour(f'/my/projects/{self.project.id}/hours', 'customer_portal_timesheet_approval', login='ts_ann')
        self.assertEqual(one.portal_approval_state, 'approved')
        self.assertEqual(two.portal_approval_state, 'approved')
        self.assertEqual(three.portal_approval_state, 'declined')
        self.assertEqual(three.portal_decline_reason, "Gallery was not ordered")

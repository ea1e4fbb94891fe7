# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from odoo.addons.customer_portal.tests import test_accessibility


@tagged('post_install', '-at_install', 'accessibility')
class TestTimesheetAccessibility(test_accessibility.TestAccessibility):
    """The project pages (P16) of the demo customer pass the core addon's axe audit, at each width."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.portal_view_timesheets = True
        cls.demo_project = cls.env.ref('customer_portal_timesheet.project_website')

    def _customer_pages(self):
        # EXTENDS customer_portal: only the pages of this bridge, with the demo project and its entries.
        self.assertTrue(
            self.demo_project.timesheet_ids.filtered(lambda line: line.portal_approval_state == 'to_approve'),
            "the demo project has time entries awaiting approval",
        )
        # The comments of the hours page load portal's chatter bundle after the page: made beforehand, so that its
        # first making (seconds) is not cut short by the next page or the end of the audit.
        bundle = self.url_open('/web/bundle/portal.assets_chatter?lang=en_US')
        self.assertEqual(bundle.status_code, 200)
        for asset in bundle.json():
            self.assertEqual(self.url_open(asset['src']).status_code, 200, asset['src'])
        project_id = self.demo_project.id
        return ['/my', f'/my/projects/{project_id}/hours', '/my/projects', f'/my/projects/{project_id}']

    # Odoo runs the test methods a class defines itself, not those it inherits (the core addon's audits).
    def test_project_pages_phone(self):
        """The project pages pass the accessibility audit at phone size."""
        self._audit_customer_pages('phone')

    def test_project_pages_desktop(self):
        """The project pages pass the accessibility audit at desktop size."""
        self._audit_customer_pages('desktop')

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo.exceptions import AccessError
from odoo.tests import Form, TransactionCase, tagged

from .common import PortalUserCommon

ALL = {'view', 'pay', 'approve', 'tickets', 'edit', 'forward', 'upload'}


@tagged('post_install', '-at_install')
class TestPortalPermissions(PortalUserCommon, TransactionCase):
    """A9: what a portal contact may do, its presets, its checks and the log of a change."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env['res.partner'].create({'name': "Permission Customer", 'is_company': True})
        cls.clerk = cls.env['res.partner'].create(
            {'name': "Clara Clerk", 'parent_id': cls.customer.id, 'email': 'clara@example.com'}
        )
        cls.clerk_user = cls._new_portal_user('perm_clerk', partner=cls.clerk)

    def test_default_everything(self):
        self.assertEqual(set(self.clerk._get_portal_permissions()), ALL)
        self.assertEqual(self.clerk.portal_permission_preset, 'all')
        for permission in ALL:
            self.assertTrue(self.clerk._has_portal_permission(permission))
            self.clerk._check_portal_permission(permission)

    def test_presets(self):
        self.clerk.portal_permission_preset = 'view'
        self.assertEqual(set(self.clerk._get_portal_permissions()), {'view'})
        self.clerk.portal_permission_preset = 'view_pay'
        self.assertEqual(set(self.clerk._get_portal_permissions()), {'view', 'pay'})
        self.clerk.portal_permission_preset = 'all'
        self.assertEqual(set(self.clerk._get_portal_permissions()), ALL)
        self.clerk.portal_can_forward = False
        self.assertEqual(self.clerk.portal_permission_preset, 'custom')
        self.assertEqual(set(self.clerk._get_portal_permissions()), ALL - {'forward'})

    def test_check_raises_translated_message(self):
        self.clerk.portal_permission_preset = 'view'
        with self.assertRaisesRegex(AccessError, "does not allow you to make payments"):
            self.clerk.with_user(self.clerk_user)._check_portal_permission('pay')
        self.assertFalse(self.clerk.with_user(self.clerk_user)._has_portal_permission('approve'))
        self.clerk.with_user(self.clerk_user)._check_portal_permission('view')
        with self.assertRaises(ValueError):
            self.clerk._has_portal_permission('fly')

    def test_portal_user_cannot_change_permissions(self):
        with self.assertRaises(AccessError):
            self.clerk.with_user(self.clerk_user).write({'portal_can_pay': False})
        self.assertTrue(self.clerk.portal_can_pay)

    def test_change_logged_on_customer(self):
        before = self.customer.message_ids
        self.clerk.with_user(self.env.ref('base.user_admin')).portal_permission_preset = 'view_pay'
        log = self.customer.message_ids - before
        self.assertEqual(len(log), 1)
        self.assertIn("Clara Clerk", log.body)
        self.assertIn(self.env.ref('base.user_admin').name, log.body)
        self.assertIn("Accept Estimates and Approve Time Entries: not allowed", log.body)
        self.assertNotIn("Pay:", log.body, "only what changed is listed")
        # Writing the same values again logs nothing.
        self.clerk.portal_permission_preset = 'view_pay'
        self.assertEqual(len(self.customer.message_ids - before), 1)

    def test_sections(self):
        company = self.env.company
        self.assertTrue(company._is_portal_section_enabled('invoices'))
        self.assertTrue(self.clerk._is_portal_section_visible('invoices', company))
        company.portal_show_invoices = False
        self.assertFalse(self.clerk._is_portal_section_visible('invoices', company))
        company.portal_show_invoices = True
        self.clerk.portal_can_view = False
        self.assertFalse(self.clerk._is_portal_section_visible('invoices', company))
        with self.assertRaises(ValueError):
            company._is_portal_section_enabled('nothing')

    def test_wizard_sets_permissions(self):
        wizard = self.env['portal.wizard'].create({'partner_ids': [(6, 0, self.clerk.ids)]})
        line = wizard.user_ids.filtered(lambda line: line.partner_id == self.clerk)
        self.assertEqual(line.portal_permission_preset, 'all')
        with Form(wizard, view='customer_portal.view_portal_wizard_form_configure') as form:
            with form.user_ids.edit(0) as row:
                row.portal_permission_preset = 'view'
                self.assertFalse(row.portal_can_pay)
        self.assertEqual(set(self.clerk._get_portal_permissions()), set(ALL), "nothing written before Save")
        wizard.action_portal_configure_save()
        self.assertEqual(set(self.clerk._get_portal_permissions()), {'view'})
        self.assertIn("Portal permissions of Clara Clerk", self.customer.message_ids[0].body)

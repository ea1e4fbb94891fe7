import os
import threading
import time
from datetime import timedelta
from unittest.mock import patch

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import new_test_user, tagged
from odoo.tests.common import ChromeBrowser

from .common_payment import PortalPaymentConcurrencyCase
from .common_portal_account import PortalAccountCommon


@tagged('post_install', '-at_install')
class TestDocumentView(PortalAccountCommon):
    """A6: the customer's views of an invoice are recorded in their own table (owner, colleague, visitor
    of the link), never staff's; the invoice shows the mark, the filter finds it, a revision starts it
    over, and P6 tells the salesperson of the first view."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller = new_test_user(
            cls.env,
            login='a6_seller',
            name='Sam Seller',
            email='sam@seller.example',
            groups='account.group_account_invoice',
            notification_type='inbox',
        )
        cls.inv2.invoice_user_id = cls.seller
        cls.View = cls.env['customer_portal.document.view']

    def _views(self, document):
        return self.View.search([('res_model', '=', document._name), ('res_id', '=', document.id)])

    def _open(self, document, user=None, token=False):
        """Open the document's portal page as ``user`` (None: a visitor), with its link's token if asked."""
        if user:
            self._login(user)
        else:
            self.authenticate(None, None)
        url = document.get_portal_url() if token else document.access_url
        self._page(url)

    def test_owner_colleague_and_visitor_recorded(self):
        """The owner and a colleague through the portal, a visitor of the link as the customer."""
        self._open(self.inv2, self.portal_user)
        self._open(self.inv2, self.colleague_user, token=True)
        self._open(self.inv2, None, token=True)
        views = self._views(self.inv2)
        self.assertEqual(
            {(v.partner_id, v.user_id, v.via) for v in views},
            {
                (self.contact_a, self.portal_user, 'portal'),
                (self.contact_b, self.colleague_user, 'portal'),
                (self.inv2.partner_id, self.env['res.users'], 'link'),
            },
        )
        self.assertTrue(all(v.version == 0 and v.view_date for v in views))

    def test_second_view_not_duplicated_and_document_row_untouched(self):
        """A viewer's second view adds no row; no view writes the invoice (write_date, write_uid)."""
        self.inv2.flush_recordset()
        self.env.cr.execute("SELECT write_date, write_uid FROM account_move WHERE id = %s", [self.inv2.id])
        before = self.env.cr.fetchone()
        for _i in range(3):
            self._open(self.inv2, self.portal_user)
        self.assertEqual(len(self._views(self.inv2)), 1)
        self.env.cr.execute("SELECT write_date, write_uid FROM account_move WHERE id = %s", [self.inv2.id])
        self.assertEqual(self.env.cr.fetchone(), before)

    def test_staff_never_recorded(self):
        """An internal user opening the portal page, with or without the token (the Preview button
        opens it with the token), is not a customer view."""
        self._login(self.env.ref('base.user_admin'))
        preview = self.inv2.preview_invoice()
        self._page(preview['url'])
        self._page(self.inv2.access_url)
        self.assertFalse(self._views(self.inv2))
        self.assertFalse(self.inv2.portal_viewed)

    def test_mark_filter_and_history(self):
        """The mark names the first viewer; the filters find viewed and not viewed invoices."""
        self._open(self.inv2, self.portal_user)
        self._open(self.inv2, self.colleague_user)
        self.inv2.invalidate_recordset()
        self.assertTrue(self.inv2.portal_viewed)
        self.assertIn('Viewed by Alice Acme on', self.inv2.portal_view_label)
        self.assertEqual(self.inv2.portal_view_count, 2)
        self.assertFalse(self.inv3.portal_viewed)
        self.assertFalse(self.inv3.portal_view_label)
        Move = self.env['account.move']
        invoices = self.inv2 | self.inv3 | self.inv1
        self.assertEqual(Move.search([('id', 'in', invoices.ids), ('portal_viewed', '=', True)]), self.inv2)
        self.assertEqual(
            Move.search([('id', 'in', invoices.ids), ('portal_viewed', '=', False)]), self.inv1 | self.inv3
        )
        self.assertEqual(
            Move.search([('id', 'in', invoices.ids), ('portal_viewed', '!=', True)]), self.inv1 | self.inv3
        )
        action = self.inv2.action_view_portal_views()
        self.assertEqual(self.View.search(action['domain']), self._views(self.inv2))

    def test_revision_starts_the_mark_over(self):
        """Sent again after a change, the invoice is a new version: the mark starts over, the history
        keeps every view; a new view marks it again. Sent again without a change: the mark stays."""
        self._open(self.inv2, self.portal_user)
        self.inv2._portal_mark_sent()  # sent (again) with no change since the view
        self.inv2.invalidate_recordset()
        self.assertTrue(self.inv2.portal_viewed, "nothing changed: the mark stays")
        # Last sent yesterday, changed since, sent again now.
        self.inv2.portal_sent_date = self.env.cr.now() - timedelta(days=1)
        self.inv2.ref = 'Revised'
        self.env['account.move.send']._generate_and_send_invoices(self.inv2, sending_methods=['manual'])
        self.inv2.invalidate_recordset()
        self.assertEqual(self.inv2.portal_view_version, 1)
        self.assertFalse(self.inv2.portal_viewed)
        self.assertFalse(self.inv2.portal_view_label)
        self.assertNotIn(self.inv2, self.env['account.move'].search([('portal_viewed', '=', True)]))
        self.assertEqual(self.inv2.portal_view_count, 1, "the history keeps the first version's view")
        self._open(self.inv2, self.portal_user)
        self.inv2.invalidate_recordset()
        self.assertTrue(self.inv2.portal_viewed)
        self.assertEqual(self._views(self.inv2).mapped('version'), [1, 0])

    def test_first_view_notifies_the_salesperson(self):
        """P6 on: the first view of each viewer tells the salesperson, once."""
        self.company.portal_activity_notify = True
        subtype = self.env.ref('customer_portal.mt_portal_viewed')

        def notifications():
            return self.env['mail.message'].search(
                [('model', '=', 'account.move'), ('res_id', '=', self.inv2.id), ('subtype_id', '=', subtype.id)]
            )

        self._open(self.inv2, self.portal_user)
        self._open(self.inv2, self.portal_user)
        message = notifications()
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.contact_a)
        self.assertEqual(message.notification_ids.res_partner_id, self.seller.partner_id)
        self.assertEqual(message.notification_ids.notification_type, 'inbox')
        self.assertIn('viewed by the customer Alice Acme', message.body)
        self.company.portal_activity_notify = False
        self._open(self.inv2, self.colleague_user)
        self.assertEqual(len(notifications()), 1, "P6 off: recorded, nobody notified")
        self.assertEqual(len(self._views(self.inv2)), 2)

    def test_page_query_count(self):
        """Recording costs the invoice page at most 2 queries, for a repeated view and a first view."""
        self._login(self.portal_user)
        url = self.inv2.access_url
        with patch.object(type(self.env['account.move']), '_portal_record_view', lambda self, access_token=None: False):
            without = self._count_queries(url)
        repeated = self._count_queries(url)
        self.assertLessEqual(repeated - without, 2, (without, repeated))
        self.url_open(url)
        self.env.cr.execute("UPDATE account_move SET portal_view_version = 7 WHERE id = %s", [self.inv2.id])
        start = self.cr.sql_log_count
        self.assertEqual(self.url_open(url).status_code, 200)
        first = self.cr.sql_log_count - start
        self.assertEqual(self._views(self.inv2).mapped('version'), [7, 0])
        self.assertLessEqual(first - without, 2, (without, first))

    def test_list_queries_do_not_grow_with_views(self):
        """The back-office list reads every mark in the same queries, whatever the number of views."""
        invoices = self.inv1 | self.inv2 | self.inv3 | self.inv4

        def read_list():
            invoices.invalidate_recordset()
            self.env['res.partner'].invalidate_model(['name'])
            start = self.cr.sql_log_count
            invoices.read(['portal_viewed', 'portal_view_label'])
            return self.cr.sql_log_count - start

        for invoice in invoices:
            self.View._record_view(invoice, self.contact_a, self.portal_user, 'portal')
        read_list()  # the language, the time zone: read once
        few = read_list()
        viewers = self.env['res.partner'].create(
            [{'name': f'Viewer {i}', 'parent_id': self.customer.id} for i in range(40)]
        )
        for invoice in invoices:
            for viewer in viewers:
                self.View._record_view(invoice, viewer, self.env['res.users'], 'link')
        many = read_list()
        self.assertEqual(many, few)
        self.assertTrue(all(invoices.mapped('portal_viewed')))

    # ------------------------------------------------------------
    # The back office shows the mark (Chromium, 1366 px wide)
    # ------------------------------------------------------------

    WAIT_FOR_MARK_JS = """
        (async () => {
            const selector = %r;
            for (let i = 0; i < 200; i++) {
                const nodes = [...document.querySelectorAll(selector)];
                if (nodes.some((node) => node.textContent.includes('Viewed by Alice Acme on'))) {
                    console.log('test successful');
                    return;
                }
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
            console.error('no Viewed mark at ' + selector);
        })();
    """

    def _see_mark(self, url, selector, shot):
        """Open ``url`` in the back office as admin and wait for the mark; with CP_SCREENSHOTS set, the
        page is saved (Odoo's screenshots folder) as ``shot``."""
        code = self.WAIT_FOR_MARK_JS % selector
        if not os.environ.get('CP_SCREENSHOTS'):
            return self.browser_js(url, code, login='admin')
        stop = ChromeBrowser.stop

        def stop_after_screenshot(browser):
            browser.take_screenshot(prefix=f'{shot}_').result(timeout=10)
            time.sleep(0.5)  # the file is written by the future's callback
            stop(browser)

        with patch.object(ChromeBrowser, 'stop', stop_after_screenshot):
            return self.browser_js(url, code, login='admin')

    def test_backoffice_mark(self):
        """The invoice form shows the eye mark and the views button; the invoice list its column."""
        self._open(self.inv2, self.portal_user)
        self.authenticate(None, None)
        admin = self.env.ref('base.user_admin')
        admin.write({'company_ids': [Command.link(self.company.id)], 'company_id': self.company.id})
        action = self.env.ref('account.action_move_out_invoice_type')
        self._see_mark(
            f'/odoo/action-{action.id}/{self.inv2.id}', ".o_form_view div[name='portal_viewed']", 'a6_invoice_form_1366'
        )
        self._see_mark(f'/odoo/action-{action.id}', ".o_list_view td[name='portal_view_label']", 'a6_invoice_list_1366')


@tagged('post_install', '-at_install')
class TestDocumentViewConcurrency(PortalPaymentConcurrencyCase):
    """Two first views of the same invoice at the same moment (two tabs, two colleagues' shared link)."""

    CUSTOMER = {'name': 'View Race Customer'}
    INVOICE_COUNT = 1
    INVOICE_AMOUNT = 10.0

    @classmethod
    def _cleanup_data(cls):
        with cls.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM customer_portal_document_view WHERE res_model = 'account.move' AND res_id IN %s",
                [tuple(cls.invoice_ids)],
            )
        return super()._cleanup_data()

    def _view(self, barrier, invoice_ids):
        with self._thread_env() as env:
            invoice = env['account.move'].browse(invoice_ids)
            invoice.mapped('portal_view_version')
            barrier.wait(timeout=30)
            try:
                first = env['customer_portal.document.view']._record_view(
                    invoice, invoice.partner_id, env['res.users'], 'link'
                )
            except SerializationFailure:
                env.cr.rollback()
                return 'retry'  # what Odoo's request loop does with it
            env.cr.commit()
            return first

    def test_concurrent_first_views_give_one_row(self):
        """One row and one "first view": the other waits for it, then is refused as a serialization
        failure (retried by Odoo's request loop, no ERROR logged) or finds the row (read committed)."""
        with self.assertNoLogs(level='ERROR'):
            results = self._race(self._view, [self.invoice_ids] * 2)
        self.assertIn(True, results)
        self.assertEqual(results.count(True), 1, results)
        self.assertIn(results[1 - results.index(True)], (False, 'retry'))
        with self._thread_env() as env:
            rows = env['customer_portal.document.view'].search(
                [('res_model', '=', 'account.move'), ('res_id', 'in', self.invoice_ids)]
            )
            self.assertEqual(len(rows), 1)
        # The same in one thread afterwards: still one row.
        self.assertFalse(self._view(threading.Barrier(1), self.invoice_ids))
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertEqual(env['customer_portal.document.view'].search_count([('res_id', 'in', self.invoice_ids)]), 1)

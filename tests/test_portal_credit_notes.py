from lxml import html

from odoo.tests import HttpCase, new_test_user, tagged

from .common_portal_account import PortalAccountCommon


@tagged('post_install', '-at_install')
class TestPortalCreditNotes(PortalAccountCommon, HttpCase):
    """P13 / C6: credit notes, where they were applied and their refunds; refused when off."""

    def test_credit_notes_list(self):
        self._login(self.colleague_user)
        response = self.url_open('/my/credit_notes')
        self.assertEqual(response.status_code, 200)
        tree = html.fromstring(response.content)
        names = set(tree.xpath("//tr[contains(@class, 'o_cp_credit_note_row')]/td[1]/a/text()"))
        self.assertEqual(names, {self.cn1.name, self.cn2.name, self.cn3.name})
        self.assertEqual(self.url_open('/my/credit_notes?sortby=bogus').status_code, 200)

    def test_credit_note_detail_applied_and_refunded(self):
        self._login(self.portal_user)
        response = self.url_open(f'/my/credit_notes/{self.cn1.id}')
        self.assertEqual(response.status_code, 200)
        tree = html.fromstring(response.content)
        applied = ' '.join(n.text_content() for n in tree.xpath("//table[contains(@class, 'o_cp_credit_note_applied')]"))
        self.assertIn(self.inv1.name, applied)
        self.assertIn('100.00', applied)
        self.assertFalse(tree.xpath("//table[contains(@class, 'o_cp_credit_note_refunds')]"))

        tree = html.fromstring(self.url_open(f'/my/credit_notes/{self.cn3.id}').content)
        refunds = ' '.join(n.text_content() for n in tree.xpath("//table[contains(@class, 'o_cp_credit_note_refunds')]"))
        self.assertIn(self.refund.move_id.name, refunds)
        self.assertIn('80.00', refunds)

        tree = html.fromstring(self.url_open(f'/my/credit_notes/{self.cn2.id}').content)
        self.assertIn('50.00', tree.xpath("//*[contains(@class, 'o_cp_credit_remaining')]")[0].text_content())

    def test_credit_note_detail_refused(self):
        internal = new_test_user(self.env, login='cp_internal_nobody', groups='base.group_user',
                                 company_id=self.company.id)
        cases = [
            (None, self.cn1.id, ''),  # anonymous without token
            (self.other_user, self.cn1.id, ''),  # another company's portal user
            (internal, self.cn1.id, ''),  # internal user without accounting rights
            (None, self.cn1.id, self.cn2._portal_ensure_token()),  # another document's token
            (None, self.cn1.id, self.cn1._portal_ensure_token()[:-1] + 'x'),  # one character changed
            (None, self.cn1.id, 'a' * 4096),
            (None, self.cn1.id, '[]'),
            (self.portal_user, self.inv1.id, ''),  # an invoice is not a credit note
            (self.portal_user, 999999, ''),
        ]
        for user, move_id, token in cases:
            if user:
                self._login(user)
            else:
                self.authenticate(None, None)
            response = self.url_open(f'/my/credit_notes/{move_id}?access_token={token}')
            self.assertEqual(response.status_code, 404, (user and user.login, move_id, token[:10]))
            self.assertNotIn(self.inv1.name, response.text)
            self.assertNotIn('Applied to invoices', response.text)
        # The right token opens it without a session.
        self.authenticate(None, None)
        response = self.url_open(f'/my/credit_notes/{self.cn1.id}?access_token={self.cn1._portal_ensure_token()}')
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.inv1.name, response.text)

    def test_credit_notes_setting_off_refuses_routes(self):
        self.company.portal_display_credit_notes = False
        self._login(self.portal_user)
        for url in ('/my/credit_notes', '/my/credit_notes/page/2', f'/my/credit_notes/{self.cn1.id}'):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 404, url)
            self.assertNotIn(self.cn1.name, response.text)
        self.authenticate(None, None)
        response = self.url_open(f'/my/credit_notes/{self.cn1.id}?access_token={self.cn1._portal_ensure_token()}')
        self.assertEqual(response.status_code, 404)
        # Stock behaviour: the credit note is still reachable as a document of /my/invoices.
        self._login(self.portal_user)
        self.assertEqual(self.url_open(f'/my/invoices/{self.cn1.id}').status_code, 200)

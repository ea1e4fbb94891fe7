# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import PDF, HelpdeskCase


@tagged('post_install', '-at_install')
class TestHelpdeskTicketModels(HelpdeskCase):
    """The setting, who reads which ticket, the upload rules, the related document, the last reply, P6."""

    def test_setting_off_by_default(self):
        """A new company does not let its customers raise tickets; Settings switch it on for the company."""
        company = self.env['res.company'].create({'name': "New Co"})
        self.assertFalse(company.portal_allow_tickets)
        self.assertEqual(company.portal_ticket_upload_max_mb, 10)
        settings = self.env['res.config.settings'].with_company(company).create({'portal_allow_tickets': True})
        settings.execute()
        self.assertTrue(company.portal_allow_tickets)

    def test_portal_user_reads_own_company_tickets_only(self):
        """A colleague's ticket is read; another company's is not, even one the customer follows."""
        own = self._new_ticket(self.contact, "Ann's ticket")
        colleagues = self._new_ticket(self.colleague, "Bob's ticket")
        others = self._new_ticket(self.other_contact, "Olga's ticket")
        # helpdesk_mgmt's own rule let a follower read the ticket: ours reads its company's only.
        others.message_subscribe(partner_ids=self.contact.ids)
        Ticket = self.env['helpdesk.ticket'].with_user(self.portal_user)
        self.assertEqual(Ticket.search([('id', 'in', (own | colleagues | others).ids)]), own | colleagues)
        with self.assertRaises(AccessError):
            others.with_user(self.portal_user).read(['name'])
        with self.assertRaises(AccessError):
            own.with_user(self.portal_user).write({'name': "Renamed"})

    def test_upload_allowed_file(self):
        """A PDF is kept, under a name the server makes (no path, no odd characters), private."""
        values = self.env['helpdesk.ticket']._check_portal_upload('..\\..\\etc/my <bill>.PDF', PDF, self.company)
        self.assertEqual(values['name'], 'my _bill.pdf')
        self.assertEqual(base64.b64decode(values['datas']), PDF)
        self.assertEqual(values['mimetype'], 'application/pdf')
        self.assertFalse(values['public'])

    def test_upload_hostile_files_refused(self):
        """A kind of file not allowed, a content that is not what its name says, an empty or too large file,
        binary data named .txt: each refused with what is wrong."""
        Ticket = self.env['helpdesk.ticket']
        self.company.portal_ticket_upload_max_mb = 1
        for name, data, message in (
            ('setup.exe', b'MZ\x90\x00', "cannot be attached"),
            ('page.html', b'<script>alert(1)</script>', "cannot be attached"),
            ('no_extension', PDF, "cannot be attached"),
            ('invoice.pdf', b'<script>alert(1)</script>', "not a real .pdf file"),
            ('photo.png', PDF, "not a real .png file"),
            ('notes.txt', b'text\x00binary', "not a real .txt file"),
            ('latin.txt', b'caf\xe9', "not a real .txt file"),
            ('empty.pdf', b'', "is empty"),
            ('big.pdf', PDF + b'0' * (1024 * 1024), "larger than 1 MB"),
        ):
            with self.subTest(name=name), self.assertRaisesRegex(ValidationError, message):
                Ticket._check_portal_upload(name, data, self.company)
        with self.assertRaisesRegex(ValidationError, "at most 10 files"):
            Ticket._check_portal_uploads([('a.pdf', PDF)] * 11, self.company)

    def test_related_document_must_be_own(self):
        """The customer's posted invoice or confirmed order is accepted; another customer's, a draft, an id
        of nothing or a malformed value is refused."""
        Ticket = self.env['helpdesk.ticket']
        self.assertEqual(Ticket._parse_portal_document(f'account.move,{self.invoice.id}', self.contact), self.invoice)
        self.assertEqual(Ticket._parse_portal_document(f'sale.order,{self.order.id}', self.colleague), self.order)
        self.assertIsNone(Ticket._parse_portal_document('', self.contact))
        draft = self._new_invoice(self.customer, post=False)
        for value in (
            f'account.move,{self.other_invoice.id}',
            f'sale.order,{self.other_order.id}',
            f'account.move,{draft.id}',
            'account.move,99999999999',
            f'res.partner,{self.customer.id}',
            'account.move,abc',
            f'account.move,{self.invoice.id};drop',
        ):
            with self.subTest(value=value), self.assertRaisesRegex(ValidationError, "your own invoices and orders"):
                Ticket._parse_portal_document(value, self.contact)
        moves, orders = Ticket._get_portal_document_choices(self.contact)
        self.assertIn(self.invoice, moves)
        self.assertNotIn(self.other_invoice, moves)
        self.assertNotIn(draft, moves)
        self.assertEqual(orders, self.order)

    def test_last_reply_date(self):
        """The last reply counts the customer's and the team's messages, not internal notes."""
        ticket = self._new_ticket(self.contact, "Reply dates")
        other = self._new_ticket(self.contact, "No reply")
        self.assertFalse(ticket.portal_last_reply_date)
        ticket.message_post(body="Internal", message_type='comment', subtype_xmlid='mail.mt_note')
        ticket.invalidate_recordset(['portal_last_reply_date'])
        self.assertFalse(ticket.portal_last_reply_date)
        reply = ticket.with_user(self.portal_user).message_post(
            body="Any news?", message_type='comment', subtype_xmlid='mail.mt_comment'
        )
        (ticket | other).invalidate_recordset(['portal_last_reply_date'])
        self.assertEqual(ticket.portal_last_reply_date, reply.date)
        self.assertFalse(other.portal_last_reply_date)

    def test_notify_new_ticket_and_customer_reply(self):
        """P6: a ticket raised on the portal and a customer's reply notify the ticket's assignee (else the users
        named in Settings); a reply of the support team notifies nobody."""
        manager = new_test_user(self.env, login='hd_manager', name="Mia Manager", groups='base.group_user')
        self.company.write({'portal_activity_notify': True, 'portal_activity_user_ids': manager.ids})
        Ticket = self.env['helpdesk.ticket'].with_user(self.portal_user)
        vals = {
            'name': "Portal ticket",
            'description': "<p>Help</p>",
            'partner_id': self.contact.id,
            'team_id': self.team.id,
            'company_id': self.company.id,
        }
        ticket = Ticket._create_from_portal(vals, [], self.contact)
        new_subtype = self.env.ref('customer_portal_helpdesk.mt_ticket_portal_new')
        notices = ticket.message_ids.filtered(lambda message: message.subtype_id == new_subtype)
        self.assertEqual(len(notices), 1)
        self.assertEqual(notices.partner_ids, manager.partner_id)
        self.assertEqual(notices.author_id, self.contact)
        self.assertIn("Ann Acme raised this ticket on the portal.", notices.body)
        self.assertIn(self.contact, ticket.message_partner_ids, "the customer follows its ticket")

        ticket.sudo().user_id = self.agent
        reply_subtype = self.env.ref('customer_portal_helpdesk.mt_ticket_portal_reply')
        ticket.with_user(self.colleague_user).message_post(
            body="Still broken", message_type='comment', subtype_xmlid='mail.mt_comment'
        )
        notices = ticket.message_ids.filtered(lambda message: message.subtype_id == reply_subtype)
        self.assertEqual(len(notices), 1)
        self.assertEqual(notices.partner_ids, self.agent.partner_id, "the assignee is told")
        self.assertIn("Bob Acme replied on the portal.", notices.body)
        ticket.with_user(self.agent).message_post(
            body="We are on it", message_type='comment', subtype_xmlid='mail.mt_comment'
        )
        self.assertEqual(len(ticket.message_ids.filtered(lambda message: message.subtype_id == reply_subtype)), 1)

# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import json

from lxml import html

from odoo.tests import tagged

from .common import PDF, HelpdeskHttpCase


def page_text(element):
    """The words of an element as the customer reads them (no-break spaces as spaces, blanks collapsed)."""
    return ' '.join(element.text_content().replace('\xa0', ' ').split())


@tagged('post_install', '-at_install')
class TestTicketSettings(HelpdeskHttpCase):
    """P17's setting: off, every ticket route (helpdesk_mgmt's and ours) answers 404 and the home has no card."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ticket = cls._new_ticket(cls.contact, "Acme Printer Jam")

    def _post_chatter(self, **params):
        """A message posted through the portal chatter's route; the JSON answer."""
        payload = {
            'jsonrpc': '2.0',
            'method': 'call',
            'params': {
                'thread_model': 'helpdesk.ticket',
                'thread_id': self.ticket.id,
                'post_data': {'body': "Hello from the chatter", 'message_type': 'comment'},
                **params,
            },
        }
        response = self.url_open(
            '/mail/message/post', data=json.dumps(payload), headers={'Content-Type': 'application/json'}
        )
        return response.json()

    def test_every_route_refused_when_off(self):
        """Tickets off: the list, a ticket of the customer's own, the new-ticket form, its submission, the close
        button and the chatter answer 404 (or refuse), and nothing is created or changed."""
        self.authenticate('hd_ann', 'hd_ann')
        csrf = self._new_ticket_form()
        self.company.portal_allow_tickets = False
        for url in ('/my/tickets', '/my/tickets/page/2', f'/my/ticket/{self.ticket.id}', '/new/ticket'):
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 404, url)
            self.assertNotIn("Acme Printer Jam", response.text, url)
        tickets_before = self.env['helpdesk.ticket'].search_count([])
        response = self.url_open(
            '/submitted/ticket',
            data={'csrf_token': csrf, 'subject': "Should not exist", 'description': "No"},
            files=[('attachment', ('a.pdf', PDF, 'application/pdf'))],
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.env['helpdesk.ticket'].search_count([]), tickets_before)
        response = self.url_open(
            f'/ticket/close?ticket_id={self.ticket.id}&stage_id={self.stage_done.id}', allow_redirects=False
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.ticket.stage_id, self.stage_new, "the ticket is not closed")
        messages_before = len(self.ticket.message_ids)
        answer = self._post_chatter()
        self.assertIn('error', answer)
        self.ticket.invalidate_recordset(['message_ids'])
        self.assertEqual(len(self.ticket.message_ids), messages_before, "nothing posted on the ticket")
        # The ticket's access link does not open it either.
        self.authenticate(None, None)
        response = self.url_open(
            f'/my/ticket/{self.ticket.id}?access_token={self.ticket._portal_ensure_token()}', allow_redirects=False
        )
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("Acme Printer Jam", response.text)

    def test_routes_open_when_on(self):
        """Tickets on: the same routes answer, and the chatter takes the customer's message."""
        self.authenticate('hd_ann', 'hd_ann')
        for url in ('/my/tickets', f'/my/ticket/{self.ticket.id}', '/new/ticket'):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, url)
        self.assertIn("Acme Printer Jam", self.url_open('/my/tickets').text)
        answer = self._post_chatter()
        self.assertNotIn('error', answer)
        self.assertIn("Hello from the chatter", self.ticket.message_ids[0].body)

    def test_home_card(self):
        """Off: no Tickets card (counter 0). On: the card says how many tickets of the company are open."""
        self._new_ticket(self.colleague, "Bob's open ticket")
        self._new_ticket(self.contact, "Closed one", closed=True)
        self._new_ticket(self.other_contact, "Not ours")
        self.authenticate('hd_ann', 'hd_ann')
        home = html.fromstring(self.url_open('/my').text)
        card = home.xpath("//a[@href='/my/tickets']")
        self.assertTrue(card)
        self.assertIn("2 open tickets", page_text(card[0]))
        self.assertEqual(self.make_jsonrpc_request('/my/counters', {'counters': ['ticket_count']})['ticket_count'], 2)
        self.ticket.stage_id = self.stage_done
        self.assertIn("1 open ticket", page_text(html.fromstring(self.url_open('/my').text)))
        self.company.portal_allow_tickets = False
        home = self.url_open('/my')
        self.assertEqual(home.status_code, 200)
        self.assertNotIn('/my/tickets', home.text)
        self.assertEqual(self.make_jsonrpc_request('/my/counters', {'counters': ['ticket_count']})['ticket_count'], 0)


@tagged('post_install', '-at_install')
class TestTicketAccess(HelpdeskHttpCase):
    """Who opens which ticket: the customer company's, whoever of its contacts raised it; access links."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own = cls._new_ticket(cls.contact, "Ann Printer Jam")
        cls.colleagues = cls._new_ticket(cls.colleague, "Bob Network Issue")
        cls.others = cls._new_ticket(cls.other_contact, "Olga Secret Problem")

    def _assert_refused(self, response, what):
        self.assertIn(response.status_code, (303, 404), what)
        if response.status_code == 303:
            self.assertTrue(response.headers['Location'].endswith('/my'), what)
        self.assertNotIn("Olga Secret Problem", response.text, what)

    def test_owner_and_colleague(self):
        """The owner and a colleague of the same company open the company's tickets; the list has both."""
        for login in ('hd_ann', 'hd_bob'):
            self.authenticate(login, login)
            listed = self.url_open('/my/tickets').text
            self.assertIn("Ann Printer Jam", listed)
            self.assertIn("Bob Network Issue", listed)
            self.assertNotIn("Olga Secret Problem", listed)
            for ticket in (self.own, self.colleagues):
                page = self.url_open(f'/my/ticket/{ticket.id}')
                self.assertEqual(page.status_code, 200, (login, ticket.name))
                self.assertIn(ticket.name, page.text)

    def test_other_company_refused(self):
        """Another company's ticket, an unknown id and an id beyond PostgreSQL's integers are refused; its close
        button changes nothing."""
        self.authenticate('hd_ann', 'hd_ann')
        for ticket_id in (self.others.id, self.others.id + 1000):
            self._assert_refused(self.url_open(f'/my/ticket/{ticket_id}', allow_redirects=False), ticket_id)
        self.assertEqual(self.url_open('/my/ticket/99999999999', allow_redirects=False).status_code, 404)
        response = self.url_open(
            f'/ticket/close?ticket_id={self.others.id}&stage_id={self.stage_done.id}', allow_redirects=False
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.others.stage_id, self.stage_new)
        for query in ('ticket_id=abc&stage_id=1', f'ticket_id={self.own.id}', 'ticket_id=99999999999&stage_id=1'):
            self.assertEqual(self.url_open(f'/ticket/close?{query}', allow_redirects=False).status_code, 404, query)

    def test_close_button(self):
        """The ticket page's close button (a POST with its CSRF token) closes the customer's ticket; the same
        request as a GET (a link or image on another site) changes nothing."""
        self.authenticate('hd_ann', 'hd_ann')
        page = self.url_open(f'/my/ticket/{self.own.id}')
        form = html.fromstring(page.text).xpath("//form[@action='/ticket/close']")
        self.assertTrue(form)
        self.assertEqual(form[0].get('method'), 'POST')
        response = self.url_open(
            f'/ticket/close?ticket_id={self.own.id}&stage_id={self.stage_done.id}', allow_redirects=False
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.own.stage_id, self.stage_new, "a GET does not close the ticket")
        data = {'csrf_token': self._csrf_token(page.text), 'ticket_id': self.own.id, 'stage_id': self.stage_done.id}
        response = self.url_open('/ticket/close', data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.own.stage_id, self.stage_done)

    def test_anonymous_and_tokens(self):
        """Signed out: no ticket without its access link; the link opens its ticket only; a wrong token nothing."""
        self.authenticate(None, None)
        response = self.url_open(f'/my/ticket/{self.own.id}', allow_redirects=False)
        self.assertIn(response.status_code, (303, 404))
        self.assertNotIn("Ann Printer Jam", response.text)
        response = self.url_open('/my/tickets', allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn('/web/login', response.headers['Location'])
        token = self.own._portal_ensure_token()
        page = self.url_open(f'/my/ticket/{self.own.id}?access_token={token}')
        self.assertEqual(page.status_code, 200)
        self.assertIn("Ann Printer Jam", page.text)
        self._assert_refused(
            self.url_open(f'/my/ticket/{self.others.id}?access_token={token}', allow_redirects=False), "token"
        )
        self._assert_refused(
            self.url_open(f'/my/ticket/{self.others.id}?access_token=wrong', allow_redirects=False), "wrong"
        )


@tagged('post_install', '-at_install')
class TestTicketSubmit(HelpdeskHttpCase):
    """Raising a ticket from the portal: it reaches the team with its attachments; hostile uploads, another
    customer's document and malformed values are refused with a message and store nothing."""

    def _count(self):
        return (
            self.env['helpdesk.ticket'].search_count([]),
            self.env['ir.attachment'].search_count([('res_model', '=', 'helpdesk.ticket')]),
        )

    def test_ticket_reaches_team_with_attachment(self):
        """The ticket: the team's first stage, the customer, the category, the description, the attachment under
        the server's name, the customer following it; the customer lands on its page."""
        self.authenticate('hd_ann', 'hd_ann')
        response = self._submit(files=[('../scan of invoice.pdf', PDF)], document=f'account.move,{self.invoice.id}')
        self.assertEqual(response.status_code, 200)
        ticket = self.env['helpdesk.ticket'].search([('name', '=', "Printer invoice question")])
        self.assertEqual(len(ticket), 1)
        self.assertTrue(response.url.endswith(f'/my/ticket/{ticket.id}'))
        self.assertEqual(ticket.team_id, self.team, "the company's first support team shown on the portal")
        self.assertEqual(ticket.stage_id, self.stage_new)
        self.assertEqual(ticket.partner_id, self.contact)
        self.assertEqual(ticket.category_id, self.category)
        self.assertEqual(ticket.portal_document_ref, self.invoice)
        self.assertIn("Line one<br>Line two", ticket.description)
        self.assertIn(self.contact, ticket.message_partner_ids)
        self.assertEqual(ticket.attachment_ids.mapped('name'), ['scan of invoice.pdf'])
        self.assertEqual(base64.b64decode(ticket.attachment_ids.datas), PDF)
        self.assertFalse(ticket.attachment_ids.public)
        page = html.fromstring(response.text)
        self.assertIn(
            f"About: {self.invoice.name}", page_text(page.xpath("//div[hasclass('o_cp_ticket_document')]")[0])
        )
        self.assertIn("scan of invoice.pdf", response.text)

    def test_hostile_uploads_refused(self):
        """An executable, a script named .pdf, a file over the cap: the form again with the reason, nothing
        stored (no ticket, no attachment), the values typed kept."""
        self.company.portal_ticket_upload_max_mb = 1
        self.authenticate('hd_ann', 'hd_ann')
        before = self._count()
        for files, message in (
            ([('tool.exe', b'MZ\x90\x00')], "tool.exe: this kind of file cannot be attached"),
            ([('ok.pdf', PDF), ('invoice.pdf', b'<script>alert(1)</script>')], "invoice.pdf is not a real .pdf"),
            ([('big.pdf', PDF + b'0' * (1024 * 1024 + 10))], "big.pdf is larger than 1 MB"),
        ):
            with self.subTest(message=message):
                response = self._submit(files=files)
                self.assertEqual(response.status_code, 200)
                error = html.fromstring(response.text).xpath("//div[hasclass('o_cp_ticket_error')]")
                self.assertTrue(error, message)
                self.assertIn(message, page_text(error[0]))
                self.assertIn("Nothing was saved", page_text(error[0]))
                self.assertIn('value="Printer invoice question"', response.text)
                self.assertEqual(self._count(), before)

    def test_chatter_upload_checked(self):
        """A file attached in a ticket's chatter follows the same rules: a hostile one refused with the reason
        and not stored; a PDF kept under the server's name."""
        ticket = self._new_ticket(self.contact, "Chatter files")
        self.authenticate('hd_ann', 'hd_ann')
        csrf = self._new_ticket_form()
        before = self._count()

        def upload(name, content):
            response = self.url_open(
                '/mail/attachment/upload',
                data={'csrf_token': csrf, 'thread_id': str(ticket.id), 'thread_model': 'helpdesk.ticket'},
                files=[('ufile', (name, content, 'application/octet-stream'))],
            )
            self.assertEqual(response.status_code, 200)
            return response.json()

        answer = upload('invoice.pdf', b'<script>alert(1)</script>')
        self.assertEqual(answer.get('error'), "invoice.pdf is not a real .pdf file: its content does not match.")
        self.assertIn("cannot be attached", upload('tool.exe', b'MZ').get('error', ''))
        self.assertEqual(self._count(), before)
        self.assertNotIn('error', upload('../my scan.pdf', PDF))
        attachment = self.env['ir.attachment'].search(
            [('res_model', '=', 'helpdesk.ticket'), ('res_id', '=', ticket.id)]
        )
        self.assertEqual(attachment.mapped('name'), ['my scan.pdf'])

    def test_related_document_must_be_own(self):
        """Another customer's invoice or order, or a malformed value: refused, nothing stored."""
        self.authenticate('hd_ann', 'hd_ann')
        before = self._count()
        form = html.fromstring(self.url_open('/new/ticket').text)
        offered = set(form.xpath("//select[@name='document']/optgroup/option/@value"))
        self.assertIn(f'account.move,{self.invoice.id}', offered)
        self.assertIn(f'sale.order,{self.order.id}', offered)
        self.assertNotIn(f'account.move,{self.other_invoice.id}', offered)
        for value in (f'account.move,{self.other_invoice.id}', f'sale.order,{self.other_order.id}', 'x,1'):
            response = self._submit(document=value)
            self.assertEqual(response.status_code, 200)
            self.assertIn("Choose the related document among your own invoices and orders.", response.text)
            self.assertEqual(self._count(), before)
        self._submit(document=f'sale.order,{self.order.id}')
        ticket = self.env['helpdesk.ticket'].search([('name', '=', "Printer invoice question")])
        self.assertEqual(ticket.portal_document_ref, self.order)

    def test_malformed_values(self):
        """An empty subject, a category or team that is no id: the form with a message, never a 500."""
        self.authenticate('hd_ann', 'hd_ann')
        before = self._count()
        for values, message in (
            ({'subject': '  '}, "Give the ticket a subject and a description."),
            ({'category': 'abc'}, "Choose one of the categories offered."),
            ({'category': '99999999999'}, "Choose one of the categories offered."),
        ):
            response = self._submit(**values)
            self.assertEqual(response.status_code, 200, values)
            self.assertIn(message, response.text)
        self.assertEqual(self._count(), before)


@tagged('post_install', '-at_install')
class TestTicketList(HelpdeskHttpCase):
    """/my/tickets: Open / Closed tabs, search and sort, stage and last reply; its queries do not grow."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.open_ticket = cls._new_ticket(cls.contact, "Open Modem Trouble")
        cls.closed_ticket = cls._new_ticket(cls.colleague, "Closed Billing Query", closed=True)
        cls.reply = cls.open_ticket.with_user(cls.agent).message_post(
            body="We are looking into it", message_type='comment', subtype_xmlid='mail.mt_comment'
        )

    def test_tabs(self):
        """Open by default; Closed lists the closed ones; each tab's link keeps the search."""
        self.authenticate('hd_ann', 'hd_ann')
        page = self.url_open('/my/tickets')
        self.assertIn("Open Modem Trouble", page.text)
        self.assertNotIn("Closed Billing Query", page.text)
        doc = html.fromstring(page.text)
        tabs = {page_text(a): a.get('href') for a in doc.xpath("//ul[hasclass('o_cp_ticket_tabs')]//a")}
        self.assertEqual(list(tabs), ["Open", "Closed"])
        self.assertEqual(doc.xpath("//ul[hasclass('o_cp_ticket_tabs')]//a[@aria-current='page']/text()"), ["Open"])
        page = self.url_open(tabs["Closed"])
        self.assertIn("Closed Billing Query", page.text)
        self.assertNotIn("Open Modem Trouble", page.text)
        searched = html.fromstring(self.url_open('/my/tickets?search=Modem&search_in=name').text)
        closed_link = searched.xpath("//ul[hasclass('o_cp_ticket_tabs')]//a[text()='Closed']/@href")[0]
        self.assertIn('search=Modem', closed_link)
        self.assertIn("No closed tickets found.", self.url_open(closed_link).text)

    def test_columns_stage_and_last_reply(self):
        """Each row: the stage and the date of the last reply."""
        self.authenticate('hd_ann', 'hd_ann')
        doc = html.fromstring(self.url_open('/my/tickets').text)
        row = doc.xpath("//tr[.//a[contains(., 'Open Modem Trouble')]]")[0]
        self.assertIn("New", page_text(row))
        last_reply = page_text(row.xpath(".//td[hasclass('o_cp_ticket_last_reply')]")[0])
        self.assertTrue(last_reply)
        self.assertIn(str(self.reply.date.year), last_reply)

    def test_search_and_malformed_parameters(self):
        """Search by title; an unknown sorting, search field, page or date shows the list, not an error."""
        self.authenticate('hd_ann', 'hd_ann')
        self._new_ticket(self.contact, "Another Router Problem")
        page = self.url_open('/my/tickets?search=Router')
        self.assertIn("Another Router Problem", page.text)
        self.assertNotIn("Open Modem Trouble", page.text)
        for query in ('sortby=nope', 'search_in=nope&search=x', 'page=abc', 'date_begin=x&date_end=y', 'tab=zzz'):
            response = self.url_open(f'/my/tickets?{query}')
            self.assertEqual(response.status_code, 200, query)
        self.assertIn("Open Modem Trouble", self.url_open('/my/tickets?sortby=name&tab=zzz').text)

    def test_list_query_count_flat(self):
        """The list's queries for 3 tickets and for 30 (each with a reply) are the same."""
        queries = 0
        self.authenticate('hd_ann', 'hd_ann')
        # The same kinds of tickets in both lists (raised by the customer or a colleague, with a reply), so
        # that only their number differs.
        for index in range(29):
            ticket = self._new_ticket(self.colleague if index % 2 else self.contact, f"Many {index}")
            ticket.message_post(body="Reply", message_type='comment', subtype_xmlid='mail.mt_comment')
            if index == 1:
                queries = self._count_queries('/my/tickets')
        self.url_open('/my/tickets')
        self.url_open('/my/tickets')
        with self.assertQueryCount(queries):
            page = self.url_open('/my/tickets')
        self.assertEqual(len(html.fromstring(page.text).xpath("//td[hasclass('o_cp_ticket_last_reply')]")), 30)


@tagged('post_install', '-at_install')
class TestTicketTour(HelpdeskHttpCase):
    """In Chromium: the customer raises a ticket with an attachment and lands on it."""

    def test_raise_ticket_tour(self):
        """The tour fills the form, attaches a PDF, picks an invoice and sends; the team has the ticket."""
        self.start_tour('/my/tickets', 'customer_portal_helpdesk_ticket_tour', login='hd_ann')
        ticket = self.env['helpdesk.ticket'].search([('name', '=', "Tour: my invoice is wrong")])
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.partner_id, self.contact)
        self.assertEqual(ticket.attachment_ids.mapped('name'), ['invoice-question.pdf'])
        self.assertEqual(ticket.portal_document_ref, self.invoice)


@tagged('post_install', '-at_install')
class TestTicketPermission(HelpdeskHttpCase):
    """A9 "Raise tickets": a contact without it opens no form, raises and closes no ticket (403 with the
    reason); its colleague with it does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact.portal_permission_preset = 'view_pay'
        cls.own = cls._new_ticket(cls.contact, "Ann Printer Jam")

    def test_refused_without_permission(self):
        self.authenticate('hd_ann', 'hd_ann')
        tickets = self.env['helpdesk.ticket'].search_count([])
        response = self.url_open('/new/ticket', allow_redirects=False)
        self.assertEqual(response.status_code, 403)
        self.assertIn("does not allow you to raise support tickets", response.text)
        csrf = self._csrf_token(self.url_open(f'/my/ticket/{self.own.id}').text)
        data = {'csrf_token': csrf, 'subject': "Should not exist", 'description': "No", 'category': self.category.id}
        response = self.url_open('/submitted/ticket', data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.env['helpdesk.ticket'].search_count([]), tickets, "no ticket raised")
        data = {'csrf_token': csrf, 'ticket_id': self.own.id, 'stage_id': self.stage_done.id}
        response = self.url_open('/ticket/close', data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.own.stage_id, self.stage_new, "the ticket stays open")

    def test_colleague_with_permission(self):
        self.authenticate('hd_bob', 'hd_bob')
        self.assertEqual(self._submit().status_code, 200)
        self.assertTrue(self.env['helpdesk.ticket'].search([('name', '=', "Printer invoice question")]))

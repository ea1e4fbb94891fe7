import base64
import io
import zipfile

from lxml import html

from odoo.tests import tagged

from .common import PortalHttpCase

PDF = b'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'
PNG = base64.b64decode(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
)
MB = 1024 * 1024


def _zip(members, compresslevel=6):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@tagged('post_install', '-at_install')
class TestPortalSharedDocuments(PortalHttpCase):
    """C12 Shared Documents and P8 uploads, through real HTTP requests: customer A (Anna and her colleague
    Bob) and customer B (Carl)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write({'portal_allow_uploads': True, 'portal_upload_max_size': 1, 'portal_upload_quota': 3})
        Partner = cls.env['res.partner']
        cls.customer_a = Partner.create({'name': 'Acme Docs', 'is_company': True, 'email': 'acme@example.com'})
        cls.customer_b = Partner.create({'name': 'Beta Docs', 'is_company': True, 'email': 'beta@example.com'})
        cls.anna = cls._new_portal_user(
            'anna_docs',
            Partner.create({'name': 'Anna Docs', 'parent_id': cls.customer_a.id, 'email': 'anna@a.example'}),
        )
        cls.bob = cls._new_portal_user(
            'bob_docs', Partner.create({'name': 'Bob Docs', 'parent_id': cls.customer_a.id, 'email': 'bob@a.example'})
        )
        cls.carl = cls._new_portal_user(
            'carl_docs',
            Partner.create({'name': 'Carl Docs', 'parent_id': cls.customer_b.id, 'email': 'carl@b.example'}),
        )
        Document = cls.env['customer_portal.shared.document']
        # Shared by the business from the customer's form (a contact's form shares with the company).
        cls.shared_a = Document.create(
            {'partner_id': cls.anna.partner_id.id, 'name': 'Price list 2026.pdf', 'datas': base64.b64encode(PDF)}
        )
        cls.shared_b = Document.create(
            {'partner_id': cls.customer_b.id, 'name': 'Beta contract.pdf', 'datas': base64.b64encode(PDF + b'beta')}
        )

    # -- helpers -------------------------------------------------------

    def _documents(self, customer):
        return self.env['customer_portal.shared.document'].search([('partner_id', '=', customer.id)])

    def _attachment_count(self):
        return self.env['ir.attachment'].search_count([('res_model', '=', 'customer_portal.shared.document')])

    def _page(self, url='/my/documents'):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return response

    def _upload(self, filename, data, csrf=True):
        token = self._csrf_token(self._page().text) if csrf else 'bogus'
        return self.url_open(
            '/my/documents/upload',
            data={'csrf_token': token},
            files={'attachment': (filename, data, 'application/octet-stream')},
            allow_redirects=False,
        )

    def _names_on_page(self, response):
        tree = html.fromstring(response.content)
        return {' '.join(a.text_content().split()) for a in tree.xpath("//a[hasclass('o_cp_document_download')]")}

    def _error(self, response):
        tree = html.fromstring(response.content)
        return ' '.join(
            ' '.join(node.text_content() for node in tree.xpath("//*[hasclass('o_cp_documents_error')]")).split()
        )

    # -- tests ---------------------------------------------------------

    def test_setting_defaults(self):
        """P8 is off by default, with 10 MB per file and 200 MB per customer."""
        company = self.env['res.company'].create({'name': 'Fresh Company Docs'})
        self.assertFalse(company.portal_allow_uploads)
        self.assertEqual((company.portal_upload_max_size, company.portal_upload_quota), (10, 200))

    def test_setting_off_refuses_upload_and_delete(self):
        """P8 off: upload and delete answer 404 and change nothing; the business's files are still listed and
        downloaded, without an upload form."""
        own = self.env['customer_portal.shared.document'].create(
            {
                'partner_id': self.customer_a.id,
                'name': 'Mine.pdf',
                'datas': base64.b64encode(PDF),
                'direction': 'customer',
                'author_id': self.anna.partner_id.id,
            }
        )
        self.authenticate('anna_docs', 'anna_docs')
        token = self._csrf_token(self._page().text)
        self.company.portal_allow_uploads = False
        before = self._attachment_count()
        response = self.url_open(
            '/my/documents/upload',
            data={'csrf_token': token},
            files={'attachment': ('order.pdf', PDF, 'application/pdf')},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 404)
        response = self.url_open(f'/my/documents/{own.id}/delete', data={'csrf_token': token}, allow_redirects=False)
        self.assertEqual(response.status_code, 404)
        self.assertTrue(own.exists())
        self.assertEqual(self._attachment_count(), before)
        page = self._page()
        self.assertIn('Price list 2026.pdf', self._names_on_page(page))
        self.assertNotIn('o_cp_document_upload', page.text)
        self.assertNotIn('o_cp_document_delete', page.text)
        download = self.url_open(f'/my/documents/{self.shared_a.id}/download')
        self.assertEqual((download.status_code, download.content), (200, PDF))

    def test_upload_pdf(self):
        """A real PDF is stored privately with a server-made name, listed with its size, date and author, and
        the salesperson is told (P6)."""
        salesperson = self.env['res.users'].create(
            {
                'name': 'Sally Docs',
                'login': 'sally_docs',
                'email': 'sally@example.com',
                'groups_id': [(6, 0, [self.env.ref('base.group_user').id])],
            }
        )
        self.customer_a.user_id = salesperson
        self.company.portal_activity_notify = True
        self.authenticate('anna_docs', 'anna_docs')
        response = self._upload('  Signed   purchase order.PDF', PDF)
        self.assertEqual(response.status_code, 303)
        self.assertIn('/my/documents?message=uploaded', response.headers['Location'])
        document = self._documents(self.customer_a).filtered(lambda d: d.direction == 'customer')
        self.assertEqual(len(document), 1)
        self.assertEqual(document.name, 'Signed purchase order.pdf')
        self.assertEqual(document.author_id, self.anna.partner_id)
        attachment = document.attachment_id
        self.assertFalse(attachment.public)
        self.assertFalse(attachment.access_token)
        self.assertEqual((attachment.res_model, attachment.res_id), (document._name, document.id))
        self.assertEqual(attachment.mimetype, 'application/pdf')
        self.assertEqual(attachment.raw, PDF)
        page = self._page('/my/documents?message=uploaded')
        self.assertIn('Your file was uploaded', page.text)
        row = html.fromstring(page.content).xpath("//tr[hasclass('o_cp_document_row')][1]")[0].text_content()
        self.assertIn('Signed purchase order.pdf', row)
        self.assertIn('Uploaded by', row)
        self.assertIn('Anna Docs', row)
        self.assertIn(f'{len(PDF)} bytes', row)
        message = self.env['mail.message'].search(
            [
                ('model', '=', 'res.partner'),
                ('res_id', '=', self.customer_a.id),
                ('subtype_id', '=', self.env.ref('customer_portal.mt_portal_document_uploaded').id),
            ]
        )
        self.assertEqual(len(message), 1)
        self.assertIn('Signed purchase order.pdf', message.body)
        self.assertEqual(message.partner_ids, salesperson.partner_id)

    def test_upload_matrix_refused(self):
        """Each hostile upload of security.md is refused with a clear message and stores nothing."""
        self.env['customer_portal.shared.document'].create(
            {
                'partner_id': self.customer_a.id,
                'name': 'Earlier upload.pdf',
                'datas': base64.b64encode(PDF + b'0' * (2 * MB + MB // 2)),
                'direction': 'customer',
                'author_id': self.bob.partner_id.id,
            }
        )
        bomb = _zip({'zeros.txt': b'\0' * (40 * MB)}, compresslevel=9)
        self.assertLess(len(bomb), MB)
        cases = [
            ('too large', 'big.pdf', PDF + b'0' * MB, 'larger than 1 MB'),
            ('over the quota', 'fits.pdf', PDF + b'0' * (MB - 1000), 'does not fit in your company'),
            ('empty', 'empty.pdf', b'', 'is empty'),
            (
                'executable named .pdf',
                'invoice.pdf',
                b'MZ\x90\x00\x03\x00\x00\x00' + b'\0' * 200,
                'not a real .pdf file',
            ),
            (
                'HTML in a .pdf',
                'invoice.pdf',
                b'<html><body><script>alert(1)</script></body></html>',
                'not a real .pdf file',
            ),
            (
                'SVG disguised as PNG',
                'logo.png',
                b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
                'not a real .png file',
            ),
            ('HTML in a .txt', 'notes.txt', b'<!DOCTYPE html><script>alert(1)</script>', 'not a real .txt file'),
            ('zip bomb', 'archive.zip', bomb, 'expands to far more'),
            ('zip bomb as .docx', 'letter.docx', bomb, 'expands to far more'),
            ('broken zip', 'data.xlsx', b'PK\x03\x04garbage', 'not a valid archive'),
            ('zip named .docx', 'letter.docx', _zip({'a.txt': b'hello'}), 'not a real .docx file'),
            ('PDF named .xlsx', 'data.xlsx', PDF, 'not a valid archive'),
            ('extension not allowed', 'setup.exe', b'MZ\x90\x00', 'this kind of file cannot be uploaded'),
            ('HTML page', 'page.html', b'<html></html>', 'this kind of file cannot be uploaded'),
            ('SVG', 'logo.svg', b'<svg></svg>', 'this kind of file cannot be uploaded'),
            ('no extension', 'README', b'hello', 'this kind of file cannot be uploaded'),
            ('double extension', 'invoice.pdf.exe', b'MZ\x90\x00', 'this kind of file cannot be uploaded'),
            ('path', '../../etc/passwd.pdf', PDF, 'may not contain a path'),
            ('Windows path', '..\\..\\boot.pdf', PDF, 'may not contain a path'),
            ('hidden file', '.htaccess.txt', b'hello', 'may not contain a path'),
            ('markup', '<script>alert(1).pdf', PDF, 'may not contain any of these characters'),
            ('script tag', '<script>alert(1)</script>.pdf', PDF, 'may not contain a path'),
            ('300 characters', 'a' * 296 + '.pdf', PDF, 'The file name has 300 characters; at most 120'),
            ('right-to-left override', 'invoice\u202efdp.exe', PDF, 'control characters'),
        ]
        self.authenticate('anna_docs', 'anna_docs')
        before = (self._attachment_count(), len(self._documents(self.customer_a)))
        for label, filename, data, message in cases:
            with self.subTest(label):
                response = self._upload(filename, data)
                self.assertEqual(response.status_code, 400, label)
                self.assertIn(message, self._error(response), label)
                self.assertEqual((self._attachment_count(), len(self._documents(self.customer_a))), before, label)
        # A NUL byte in the name (urllib3 escapes control characters of a file name: sent raw here).
        token = self._csrf_token(self._page().text)
        boundary = 'cpboundary'
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="a\x00b.pdf"\r\n'
                'Content-Type: application/pdf\r\n\r\n'
            ).encode()
            + PDF
            + f'\r\n--{boundary}--\r\n'.encode()
        )
        response = self.opener.post(
            self.base_url() + '/my/documents/upload',
            data=body,
            headers={'Content-Type': f'multipart/form-data; boundary={boundary}'},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual((self._attachment_count(), len(self._documents(self.customer_a))), before)
        # No file at all, or a text field named like it.
        response = self.url_open(
            '/my/documents/upload', data={'csrf_token': token, 'attachment': 'x.pdf'}, allow_redirects=False
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn('Choose a file to upload', self._error(response))

    def test_upload_kinds_accepted(self):
        """Files of the allowed kinds whose content is what their extension says are accepted."""
        self.company.portal_upload_quota = 50
        docx = _zip({'[Content_Types].xml': b'<Types/>', 'word/document.xml': b'<w:document/>'})
        odt = _zip({'mimetype': b'application/vnd.oasis.opendocument.text', 'content.xml': b'<office/>'})
        files = {
            'photo.png': PNG,
            'scan.jpg': b'\xff\xd8\xff\xe0\x00\x10JFIF\x00' + b'\0' * 100,
            'table.csv': 'name;amount\nÉlise;12,50\n'.encode(),
            'notes.txt': b'Delivery on Monday, gate 3.\n',
            'letter.docx': docx,
            'letter.odt': odt,
            'bundle.zip': _zip({'a.txt': b'hello', 'b.txt': b'world'}),
        }
        self.authenticate('anna_docs', 'anna_docs')
        for filename, data in files.items():
            with self.subTest(filename):
                response = self._upload(filename, data)
                self.assertEqual(response.status_code, 303, self._error(response))
        uploaded = self._documents(self.customer_a).filtered(lambda d: d.direction == 'customer')
        self.assertEqual(set(uploaded.mapped('name')), set(files))
        self.assertEqual(uploaded.filtered(lambda d: d.name == 'notes.txt').mimetype, 'text/plain')

    def test_upload_needs_csrf(self):
        """An upload without the form's CSRF token is refused and stores nothing."""
        self.authenticate('anna_docs', 'anna_docs')
        before = self._attachment_count()
        response = self._upload('order.pdf', PDF, csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self._attachment_count(), before)

    def test_download_headers(self):
        """A download is an attachment, with nosniff and its real type."""
        self.authenticate('anna_docs', 'anna_docs')
        response = self.url_open(f'/my/documents/{self.shared_a.id}/download')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, PDF)
        self.assertTrue(response.headers['Content-Disposition'].startswith('attachment;'))
        self.assertIn('Price list 2026.pdf', response.headers['Content-Disposition'])
        self.assertEqual(response.headers['X-Content-Type-Options'], 'nosniff')
        self.assertEqual(response.headers['Content-Type'].split(';')[0], 'application/pdf')

    def test_foreign_document_not_found(self):
        """Another customer's document, an unknown or malformed id: 404 and none of its bytes, by our route
        and by Odoo's attachment routes, whatever token is given."""
        self.authenticate('carl_docs', 'carl_docs')
        secret = PDF
        attachment = self.shared_a.attachment_id
        for url in (
            f'/my/documents/{self.shared_a.id}/download',
            '/my/documents/999999999/download',
            '/my/documents/0/download',
            '/my/documents/-1/download',
            f'/web/content/{attachment.id}',
            f'/web/content/{attachment.id}?download=true',
            f'/web/content/{attachment.id}?access_token=0123456789abcdef',
            f'/web/content/{attachment.id}?access_token=',
            f'/web/content/customer_portal.shared.document/{self.shared_a.id}/datas',
        ):
            with self.subTest(url):
                response = self.url_open(url)
                self.assertIn(response.status_code, (403, 404), url)
                self.assertNotIn(secret, response.content, url)
        token = self._csrf_token(self._page().text)
        response = self.url_open(
            f'/my/documents/{self.shared_a.id}/delete', data={'csrf_token': token}, allow_redirects=False
        )
        self.assertEqual(response.status_code, 404)
        self.assertTrue(self.shared_a.exists())

    def test_shared_files_visible_to_every_contact_of_the_customer_only(self):
        """A file shared with customer A is seen by each of its contacts, never by customer B's."""
        for login in ('anna_docs', 'bob_docs'):
            self.authenticate(login, login)
            names = self._names_on_page(self._page())
            self.assertIn('Price list 2026.pdf', names, login)
            self.assertNotIn('Beta contract.pdf', names, login)
            self.assertIn('/my/documents', self._home_html())
        self.authenticate('carl_docs', 'carl_docs')
        self.assertEqual(self._names_on_page(self._page()), {'Beta contract.pdf'})
        Document = self.env['customer_portal.shared.document']
        self.assertEqual(Document.with_user(self.carl).search([]), self.shared_b)
        self.assertEqual(Document.with_user(self.bob).search([]), self.shared_a)
        self.assertEqual(Document.with_user(self.carl).search_count([('id', '=', self.shared_a.id)]), 0)

    def test_delete_own_uploads_only(self):
        """The contact who uploaded a file deletes it (and its bytes); a colleague and the business's files
        cannot be deleted."""
        self.authenticate('anna_docs', 'anna_docs')
        self.assertEqual(self._upload('mine.pdf', PDF).status_code, 303)
        mine = self._documents(self.customer_a).filtered(lambda d: d.name == 'mine.pdf')
        attachment = mine.attachment_id
        self.authenticate('bob_docs', 'bob_docs')
        page = self._page()
        self.assertNotIn(f'/my/documents/{mine.id}/delete', page.text)
        token = self._csrf_token(page.text)
        for document in (mine, self.shared_a):
            response = self.url_open(
                f'/my/documents/{document.id}/delete', data={'csrf_token': token}, allow_redirects=False
            )
            self.assertEqual(response.status_code, 403)
            self.assertIn('You can only delete the files you uploaded', self._error(response))
            self.assertTrue(document.exists())
        self.authenticate('anna_docs', 'anna_docs')
        page = self._page()
        self.assertIn(f'/my/documents/{mine.id}/delete', page.text)
        token = self._csrf_token(page.text)
        response = self.url_open(f'/my/documents/{mine.id}/delete', data={'csrf_token': token}, allow_redirects=False)
        self.assertEqual(response.status_code, 303, self._error(response) or response.text[:3000])
        self.assertFalse(mine.exists())
        self.assertFalse(attachment.exists())

    def test_back_office_pick_customer_file(self):
        """Staff share a file already attached to the customer: a copy, private, of the customer company."""
        original = self.env['ir.attachment'].create(
            {'name': 'Signed terms.pdf', 'raw': PDF, 'res_model': 'res.partner', 'res_id': self.customer_a.id}
        )
        document = self.env['customer_portal.shared.document'].create(
            {'partner_id': self.customer_a.id, 'source_attachment_id': original.id}
        )
        self.assertEqual(document.name, 'Signed terms.pdf')
        self.assertEqual(document.direction, 'business')
        self.assertNotEqual(document.attachment_id, original)
        self.assertEqual(document.attachment_id.raw, PDF)
        self.assertFalse(document.attachment_id.public)
        action = self.env.ref('customer_portal.action_customer_portal_shared_document')
        self.assertEqual(action.res_model, 'customer_portal.shared.document')

from odoo.tests import JsonRpcException, tagged

from .common_portal_account import PortalAccountCommon


@tagged('post_install', '-at_install')
class TestPortalDetailPages(PortalAccountCommon):
    """Issue 9, item 5: the credit note and payment pages laid out as the invoice page (sidebar with the
    amount, the state and the PDF; the chatter), and one status badge in the same words on every list."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payment = cls.unapplied_payment  # 70.00 from Acme, applied to nothing
        cls.other_payment = cls.init_payment(33.0, post=True, partner=cls.other_customer)

    def _tree(self, url):
        return self._page(url)[1]

    def _money(self, amount):
        """``amount`` as the monetary widget writes it, spaces normalised."""
        currency = self.company.currency_id
        return (
            f'{currency.symbol} {amount:,.2f}' if currency.position == 'before' else f'{amount:,.2f} {currency.symbol}'
        )

    @staticmethod
    def _words(node):
        return ' '.join(node.text_content().split())

    @staticmethod
    def _sidebar(tree):
        [sidebar] = tree.xpath("//div[@id='sidebar_content']")
        return sidebar

    @staticmethod
    def _chatter(tree):
        [chatter] = tree.xpath("//div[@id='discussion'][contains(@class, 'o_portal_chatter')]")
        return chatter

    def _post(self, record, body, **route_kw):
        return self.make_jsonrpc_request(
            '/mail/message/post',
            {
                'thread_model': record._name,
                'thread_id': record.id,
                'post_data': {'body': body, 'message_type': 'comment', 'subtype_xmlid': 'mail.mt_comment'},
                **route_kw,
            },
        )

    def _messages(self, record, body):
        return (
            self.env['mail.message']
            .sudo()
            .search([('model', '=', record._name), ('res_id', '=', record.id), ('body', 'ilike', body)])
        )

    # ------------------------------------------------------------
    # Credit note
    # ------------------------------------------------------------

    def test_credit_note_sidebar(self):
        """The sidebar shows the credit note's amount, what is left of it, its state and its PDF."""
        self._login(self.colleague_user)
        tree = self._tree(f'/my/credit_notes/{self.cn1.id}')
        sidebar = self._sidebar(tree)
        self.assertEqual(self._words(sidebar.xpath('.//h2')[0]), self._money(100))
        self.assertIn('Credits Remaining', sidebar.text_content())
        [remaining] = sidebar.xpath(".//*[contains(@class, 'o_cp_credit_remaining')]")
        self.assertEqual(self._words(remaining), self._money(0))
        self.assertEqual(
            [badge.text_content().strip() for badge in sidebar.xpath(".//span[contains(@class, 'badge')]")],
            ['Closed'],
            "cn1 is wholly applied to inv1",
        )
        hrefs = sidebar.xpath(".//a[contains(@class, 'o_cp_credit_note_download')]/@href")
        self.assertEqual(len(hrefs), 1)
        pdf = self.url_open(hrefs[0])
        self.assertEqual(pdf.status_code, 200)
        self.assertIn('attachment', pdf.headers.get('Content-Disposition', ''))
        # The content beside it: the invoice it was applied to.
        [content] = tree.xpath("//div[@id='credit_note_content']")
        self.assertIn(self.inv1.name, content.text_content())
        tree = self._tree(f'/my/credit_notes/{self.cn2.id}')
        self.assertEqual(
            [b.text_content().strip() for b in self._sidebar(tree).xpath(".//span[contains(@class, 'badge')]")],
            ['Open'],
            "cn2 is applied to nothing",
        )

    def test_credit_note_chatter(self):
        """The customer reads and writes on the credit note's chatter, as on an invoice."""
        self._login(self.portal_user)
        chatter = self._chatter(self._tree(f'/my/credit_notes/{self.cn2.id}'))
        self.assertEqual(chatter.get('data-res_model'), 'account.move')
        self.assertEqual(chatter.get('data-res_id'), str(self.cn2.id))
        self.assertEqual(chatter.get('data-allow_composer'), '1')
        self._post(self.cn2, 'Please refund this to our bank account', **self._chatter_kw(chatter))
        [message] = self._messages(self.cn2, 'Please refund this')
        self.assertEqual(message.author_id, self.portal_user.partner_id)

    @staticmethod
    def _chatter_kw(chatter):
        """What the portal chatter sends with its requests: the token of the page, if any."""
        return {'token': chatter.get('data-token')} if chatter.get('data-token') else {}

    # ------------------------------------------------------------
    # Payment
    # ------------------------------------------------------------

    def test_payment_sidebar(self):
        """The sidebar shows the payment's amount with its currency, its state and its receipt."""
        self._login(self.portal_user)
        tree = self._tree(f'/my/payments/{self.payment.id}')
        sidebar = self._sidebar(tree)
        self.assertEqual(self._words(sidebar.xpath('.//h2')[0]), self._money(70))
        self.assertEqual(
            [b.text_content().strip() for b in sidebar.xpath(".//span[contains(@class, 'badge')]")],
            [self.payment._get_portal_state_label()],
        )
        [download] = sidebar.xpath(".//a[contains(@class, 'o_cp_payment_download')]/@href")
        [print_link] = sidebar.xpath(".//a[contains(@class, 'o_cp_payment_print')]")
        self.assertEqual(print_link.get('target'), '_blank')
        receipt = self.url_open(download)
        self.assertEqual(receipt.status_code, 200)
        self.assertIn('attachment', receipt.headers.get('Content-Disposition', ''))
        self.assertIn(self.payment.name, receipt.text)  # test mode renders the report as HTML
        self.assertIn('inline', self.url_open(print_link.get('href')).headers.get('Content-Disposition', ''))
        [content] = tree.xpath("//div[@id='payment_content']")
        self.assertIn('not applied to an invoice yet', content.text_content())

    def test_payment_chatter(self):
        """The customer's contacts read and write on the payment's chatter with the page's token
        (portal users cannot read payments); the message is theirs."""
        self._login(self.colleague_user)
        chatter = self._chatter(self._tree(f'/my/payments/{self.payment.id}'))
        self.assertEqual(chatter.get('data-res_model'), 'account.payment')
        self.assertEqual(chatter.get('data-res_id'), str(self.payment.id))
        self.assertEqual(chatter.get('data-token'), self.payment.access_token)
        self._post(self.payment, 'We paid this in advance of order 42', token=chatter.get('data-token'))
        [message] = self._messages(self.payment, 'in advance of order 42')
        self.assertEqual(message.author_id, self.colleague_user.partner_id)
        fetched = self.make_jsonrpc_request(
            '/mail/chatter_fetch',
            {
                'thread_model': 'account.payment',
                'thread_id': self.payment.id,
                'token': chatter.get('data-token'),
            },
        )
        self.assertIn(message.id, [m['id'] for m in fetched['data']['mail.message']])

    def test_payment_page_takes_no_token_from_the_url(self):
        """The payment page is for signed-in users: a token, pid or hash in its URL changes nothing
        (neither a 500 nor a chatter signed with the URL's values)."""
        self._login(self.portal_user)
        tree = self._tree(f'/my/payments/{self.payment.id}?access_token=abc&pid=1&hash=xyz&error=generic')
        chatter = self._chatter(tree)
        self.assertEqual(chatter.get('data-token'), self.payment.access_token)
        self.assertIsNone(chatter.get('data-pid'))
        self.assertIsNone(chatter.get('data-hash'))

    def test_chatter_refused_on_another_customers_documents(self):
        """A portal user cannot read the page of another customer's payment or credit note, gets no
        token from it, and cannot post on it: not without a token, nor with a token of theirs."""
        self.cn2._portal_ensure_token()
        self.payment._portal_ensure_token()
        self._login(self.other_user)
        own_token = self.other_payment._portal_ensure_token()
        for url, record in (
            (f'/my/payments/{self.payment.id}', self.payment),
            (f'/my/credit_notes/{self.cn2.id}', self.cn2),
        ):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 404, url)
            self.assertNotIn(record.name, response.text)
            self.assertNotIn(record.access_token, response.text)
            for route_kw in ({}, {'token': own_token}, {'token': ''}, {'token': 'x' * 4096}):
                with self.subTest(url=url, token=route_kw.get('token', '')[:8]):
                    with self.assertRaises(JsonRpcException):
                        self._post(record, 'Intruder was here', **route_kw)
            self.assertFalse(self._messages(record, 'Intruder was here'))
            fetched = self.make_jsonrpc_request(
                '/mail/chatter_fetch', {'thread_model': record._name, 'thread_id': record.id, 'limit': 30}
            )
            self.assertFalse(fetched['data']['mail.message'], "no message of a document that is not theirs")
        # Their own payment's page is theirs, with its chatter.
        chatter = self._chatter(self._tree(f'/my/payments/{self.other_payment.id}'))
        self.assertEqual(chatter.get('data-token'), own_token)

    # ------------------------------------------------------------
    # One status badge
    # ------------------------------------------------------------

    def _badges(self, tree, row_xpath):
        [row] = tree.xpath(row_xpath)
        return {' '.join(badge.text_content().split()) for badge in row.xpath(".//span[contains(@class, 'badge')]")}

    def test_same_state_same_words(self):
        """A retainer invoice reads the same on /my/invoices (stock's words, then ours) and on the
        retainer list; the credit notes list says what the credit note page says."""
        self._login(self.portal_user)
        invoices = self._tree('/my/invoices?filterby=all')
        retainers = self._tree('/my/retainer_invoices?tab=all')
        words = {}
        for down_payment in self.dp1 + self.dp2:
            on_invoices = self._badges(invoices, f"//tbody/tr[.//a[@title='{down_payment.name}']]") - {'Retainer'}
            on_retainers = self._badges(
                retainers, f"//tr[contains(@class, 'o_cp_retainer_row')][.//a[normalize-space()='{down_payment.name}']]"
            )
            self.assertEqual(on_invoices, on_retainers, down_payment.name)
            words[down_payment] = on_retainers
        self.assertEqual(words[self.dp1], {'Paid'})
        self.assertIn('Waiting for Payment', words[self.dp2], "dp2 is unpaid, in stock's words")
        credit_notes = self._tree('/my/credit_notes')
        for credit_note, words in ((self.cn1, {'Closed'}), (self.cn2, {'Open'})):
            row_xpath = f"//tr[contains(@class, 'o_cp_credit_note_row')][.//a[normalize-space()='{credit_note.name}']]"
            self.assertEqual(self._badges(credit_notes, row_xpath), words, credit_note.name)

import subprocess
import tempfile
from datetime import timedelta

from lxml import html

from odoo import Command, fields

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import PortalHttpCase


class PortalAccountCommon(AccountTestInvoicingCommon, PortalHttpCase):
    """A customer company with invoices, partial payments, applied and unapplied credit notes, a
    refund, an unapplied payment, down payments from sales orders and invoices in two currencies;
    two of its contacts are portal users. Another customer company has its own portal user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data['company']
        cls.company.portal_display_credit_notes = True
        cls.eur = cls.setup_other_currency('EUR', rates=[('1900-01-01', 2.0)])
        cls.today = fields.Date.context_today(cls.env['res.partner'])

        cls.customer = cls.env['res.partner'].create(
            {
                'name': 'Acme Customer Co',
                'is_company': True,
                'email': 'billing@acme.example',
                'phone': '+1 555 0100',
                'vat': 'US-ACME-42',
                'street': '1 Main Street',
                'city': 'Springfield',
            }
        )
        cls.contact_a = cls.env['res.partner'].create(
            {
                'name': 'Alice Acme',
                'parent_id': cls.customer.id,
                'email': 'alice@acme.example',
                'type': 'contact',
            }
        )
        cls.contact_b = cls.env['res.partner'].create(
            {
                'name': 'Bob Acme',
                'parent_id': cls.customer.id,
                'email': 'bob@acme.example',
                'type': 'contact',
            }
        )
        cls.portal_user = cls._new_portal_user('acme_alice', cls.contact_a)
        cls.colleague_user = cls._new_portal_user('acme_bob', cls.contact_b)
        cls.other_customer = cls.env['res.partner'].create({'name': 'Other Customer Co', 'is_company': True})
        cls.other_contact = cls.env['res.partner'].create(
            {
                'name': 'Olga Other',
                'parent_id': cls.other_customer.id,
                'email': 'olga@other.example',
            }
        )
        cls.other_user = cls._new_portal_user('other_olga', cls.other_contact)

        cls.service = cls._create_product(
            name='Consulting',
            type='service',
            invoice_policy='order',
            lst_price=1000.0,
            taxes_id=[Command.clear()],
        )

        day = cls._day
        # inv1 1000, 100 of it settled by the credit note cn1: open 900, long past due.
        cls.inv1 = cls._invoice('out_invoice', day(100), [1000.0])
        cls.cn1 = cls._invoice('out_refund', day(90), [100.0])
        cls._reconcile(cls.inv1 + cls.cn1)
        # inv2 500, partially paid 200: open 300.
        cls.inv2 = cls._invoice('out_invoice', day(50), [500.0])
        cls._pay(cls.inv2, 200.0, day(40))
        # inv3 300, fully paid.
        cls.inv3 = cls._invoice('out_invoice', day(20), [300.0])
        cls._pay(cls.inv3, 300.0, day(10))
        # cn2 50, not applied: available credit.
        cls.cn2 = cls._invoice('out_refund', day(15), [50.0])
        # cn3 80, refunded to the customer (outbound payment).
        cls.cn3 = cls._invoice('out_refund', day(30), [80.0])
        cls.refund = cls._pay(cls.cn3, 80.0, day(25))
        # A payment of 70 not applied to any invoice: available credit.
        cls.unapplied_payment = cls.init_payment(70.0, post=True, date=day(5), partner=cls.customer)
        # inv4 400 EUR (200 USD), paid 100 EUR: open 300 EUR (150 USD).
        cls.inv4 = cls._invoice('out_invoice', day(35), [400.0], currency=cls.eur)
        cls.eur_payment = cls._pay(cls.inv4, 100.0, day(3), currency=cls.eur)
        # Down payments: so1 200 paid and not deducted; so2 150 unpaid; so3 100 paid then deducted.
        cls.so1, cls.dp1 = cls._down_payment(200.0, day(12))
        cls._pay(cls.dp1, 200.0, day(11))
        cls.so2, cls.dp2 = cls._down_payment(150.0, day(8))
        cls.so3, cls.dp3 = cls._down_payment(100.0, day(60))
        cls._pay(cls.dp3, 100.0, day(59))
        cls.final3 = cls._final_invoice(cls.so3, day(58))
        # Another customer's invoice, which Acme's users must never see.
        cls.other_invoice = cls._invoice('out_invoice', day(10), [777.0], partner=cls.other_customer)
        cls.env.flush_all()

    # ------------------------------------------------------------
    # Fixture helpers
    # ------------------------------------------------------------

    def _statement_pdf_text(self, partner, date_from, date_to):
        """The statement PDF wkhtmltopdf makes for the period (as the route asks it), read back as a
        reader gets it: pdftotext, layout kept."""
        pdf_content, content_type = (
            self.env['ir.actions.report']
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(
                'customer_portal.action_report_portal_statement',
                partner.ids,
                data={'date_from': date_from, 'date_to': date_to, 'company_id': self.company.id},
            )
        )
        self.assertEqual(content_type, 'pdf')
        self.assertTrue(pdf_content.startswith(b'%PDF'))
        with tempfile.NamedTemporaryFile(suffix='.pdf') as pdf:
            pdf.write(pdf_content)
            pdf.flush()
            return subprocess.run(
                ['pdftotext', '-layout', pdf.name, '-'], capture_output=True, check=True
            ).stdout.decode()

    @classmethod
    def _day(cls, days_ago):
        return cls.today - timedelta(days=days_ago)

    @classmethod
    def _invoice(cls, move_type, date, amounts, partner=None, currency=None):
        move = cls.env['account.move'].create(
            {
                'move_type': move_type,
                'partner_id': (partner or cls.customer).id,
                'invoice_date': date,
                'date': date,
                'invoice_payment_term_id': cls.pay_terms_a.id,
                'currency_id': (currency or cls.company.currency_id).id,
                'invoice_line_ids': [
                    Command.create({'name': 'Service', 'quantity': 1, 'price_unit': amount, 'tax_ids': []})
                    for amount in amounts
                ],
            }
        )
        move.action_post()
        return move

    @classmethod
    def _pay(cls, moves, amount, date, currency=None):
        wizard = (
            cls.env['account.payment.register']
            .with_context(
                active_model='account.move',
                active_ids=moves.ids,
            )
            .create(
                {
                    'amount': amount,
                    'payment_date': date,
                    'currency_id': (currency or moves.currency_id).id,
                    'payment_difference_handling': 'open',
                }
            )
        )
        return wizard._create_payments()

    @classmethod
    def _create_many_invoices(cls, partner, count, days=120):
        """``count`` posted invoices of ``partner`` of 10.00 + i, dated over the last ``days`` days."""
        moves = cls.env['account.move'].create(
            [
                {
                    'move_type': 'out_invoice',
                    'partner_id': partner.id,
                    'invoice_date': cls._day(i % days),
                    'invoice_payment_term_id': cls.pay_terms_a.id,
                    'invoice_line_ids': [Command.create({'name': 'Item', 'price_unit': 10.0 + i, 'tax_ids': []})],
                }
                for i in range(count)
            ]
        )
        moves.action_post()
        cls.env.flush_all()

    @classmethod
    def _reconcile(cls, moves):
        moves.line_ids.filtered(lambda line: line.account_type == 'asset_receivable').reconcile()

    @classmethod
    def _sale_order(cls):
        order = cls.env['sale.order'].create(
            {
                'partner_id': cls.customer.id,
                'order_line': [
                    Command.create(
                        {
                            'product_id': cls.service.id,
                            'product_uom_qty': 1,
                            'price_unit': 1000.0,
                            'tax_id': [Command.clear()],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        return order

    @classmethod
    def _advance(cls, order, values):
        wizard = (
            cls.env['sale.advance.payment.inv']
            .with_context(
                active_model='sale.order',
                active_ids=order.ids,
                active_id=order.id,
            )
            .create(values)
        )
        wizard.create_invoices()

    @classmethod
    def _down_payment(cls, amount, date):
        order = cls._sale_order()
        cls._advance(order, {'advance_payment_method': 'fixed', 'fixed_amount': amount})
        invoice = order.invoice_ids
        invoice.write({'invoice_date': date, 'date': date, 'invoice_payment_term_id': cls.pay_terms_a.id})
        invoice.action_post()
        return order, invoice

    @classmethod
    def _final_invoice(cls, order, date):
        cls._advance(order, {'advance_payment_method': 'delivered'})
        invoice = order.invoice_ids.filtered(lambda m: m.state == 'draft')
        invoice.write({'invoice_date': date, 'date': date, 'invoice_payment_term_id': cls.pay_terms_a.id})
        invoice.action_post()
        return invoice

    # ------------------------------------------------------------
    # What the journal items say
    # ------------------------------------------------------------

    def _receivable_lines(self, partner=None):
        return self.env['account.move.line'].search(
            [
                ('partner_id', 'child_of', (partner or self.customer).id),
                ('account_id.account_type', '=', 'asset_receivable'),
                ('parent_state', '=', 'posted'),
                ('company_id', '=', self.company.id),
            ]
        )

    def _login(self, user):
        self.authenticate(user.login, user.login)

    def _page(self, url):
        """(response, HTML tree) of ``url``, which must answer 200."""
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return response, html.fromstring(response.content)

    def _text(self, tree, css_class):
        """The text of the nodes of ``tree`` that have the class ``css_class``."""
        nodes = tree.xpath(f"//*[contains(concat(' ', @class, ' '), ' {css_class} ')]")
        return ' '.join(node.text_content() for node in nodes)

    def _invoice_names(self, url):
        """The invoice numbers listed on the page ``url``."""
        _response, tree = self._page(url)
        return set(tree.xpath("//table//tr/td[1]/a/@title"))

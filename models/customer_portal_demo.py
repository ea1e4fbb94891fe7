import base64
import io
import logging
from datetime import timedelta

from PIL import Image, ImageDraw, ImageFont

from odoo import Command, api, fields, models
from odoo.tools.misc import file_path

_logger = logging.getLogger(__name__)

DEMO_CUSTOMERS = ('northwind', 'bluebird', 'harbor')
# Logo of each demo customer company: its initials on a colour of its own, drawn at install time.
DEMO_LOGOS = {'northwind': ('NT', '#0f766e'), 'bluebird': ('BB', '#2563eb'), 'harbor': ('HL', '#c2410c')}


class CustomerPortalDemo(models.AbstractModel):
    """Demo documents of the demo customers, dated from the day the demo is installed so that an
    overdue invoice is overdue and a recent payment is recent, whatever the day."""

    _name = 'customer_portal.demo'
    _description = "Customer Portal Demo Data"

    @api.model
    def _generate(self):
        company = self.env.ref('base.main_company')
        self = self.with_company(company).with_context(
            tracking_disable=True, mail_notrack=True, mail_create_nolog=True, no_reset_password=True
        )
        if not self.env['account.journal'].search_count(
            [('company_id', '=', company.id), ('type', '=', 'sale')], limit=1
        ):
            _logger.info("customer_portal demo: the main company has no chart of accounts, no documents made")
            return
        customers = [self.env.ref(f'customer_portal.partner_{key}') for key in DEMO_CUSTOMERS]
        for key, customer in zip(DEMO_CUSTOMERS, customers, strict=True):
            if not customer.image_1920:
                customer.image_1920 = self._company_logo(*DEMO_LOGOS[key])
        # demo data is loaded again when the addon is updated: make its documents once
        if not self.env['account.move'].search_count([('partner_id', 'child_of', customers[0].id)], limit=1):
            transfer = self.env.ref('payment.payment_provider_transfer', raise_if_not_found=False)
            if transfer and transfer.module_state == 'installed' and transfer.state == 'disabled':
                # customers may announce a bank transfer from the portal, beside paying online
                transfer.write({'state': 'enabled', 'is_published': True})
            for index, customer in enumerate(customers):
                self._generate_customer_documents(customer, index)
            self._generate_foreign_currency_documents(customers[2])
            self._enable_bank_debit()
        self._send_invoices(self.env['res.partner'].browse([customer.id for customer in customers]))

    # ------------------------------------------------------------------
    # One customer's history
    # ------------------------------------------------------------------

    def _generate_customer_documents(self, customer, index):
        desk = self.env.ref('customer_portal.product_desk')
        consulting = self.env.ref('customer_portal.product_consulting')
        support = self.env.ref('customer_portal.product_support')
        qty = index + 1

        # invoices in every state
        self._invoice(customer, 2, 30, [(consulting, 6 * qty)], post=False)  # draft
        self._invoice(customer, 5, 30, [(desk, qty)])  # not due yet
        not_due = self._invoice(customer, 12, 30, [(consulting, 10 + qty)])  # not due yet
        self._invoice(customer, 75, 30, [(desk, 2), (consulting, 4)])  # overdue 45 days
        self._invoice(customer, 130, 30, [(support, 1)])  # overdue 100 days
        partial = self._invoice(customer, 50, 30, [(desk, 3)])  # partially paid
        self._pay(partial, partial.amount_total * 0.4, 20)
        partial.allow_partial_payment = True  # pays in parts
        paid_offline = self._invoice(customer, 90, 30, [(consulting, 20)])  # paid by bank
        self._pay(paid_offline, paid_offline.amount_total, 70)
        paid_online = self._invoice(customer, 40, 30, [(support, 1), (consulting, 2)])  # paid online
        self._pay_online(paid_online, 'done', 35)
        self._invoice(customer, 20, 30, [(desk, 1)]).button_cancel()  # cancelled

        # a credit note applied to an invoice, the rest of which was paid
        returned = self._invoice(customer, 100, 30, [(desk, 4)])
        credit_note = self._invoice(customer, 95, 0, [(desk, 1)], move_type='out_refund', reversed_entry=returned)
        self._reconcile(returned + credit_note)
        self._pay(returned, returned.amount_residual, 80)

        # sales: a quotation sent, an order not invoiced, an order invoiced, an order with a down payment
        self._sale_order(customer, 3, [(desk, 2 + qty), (consulting, 8)]).action_quotation_sent()
        self._sale_order(customer, 6, [(support, 1)]).action_confirm()
        invoiced = self._sale_order(customer, 25, [(consulting, 12)])
        invoiced.action_confirm()
        self._invoice_order(invoiced, 24)
        with_down_payment = self._sale_order(customer, 45, [(desk, 5), (consulting, 10)])
        with_down_payment.action_confirm()
        down_payment = self._down_payment(with_down_payment, 30, 44)

        if index == 0:
            # Northwind: the down payment is paid and deducted on the final invoice; a refund paid
            # back; an online payment still pending (a bank debit) and a cancelled one.
            self._pay(down_payment, down_payment.amount_total, 40)
            self._invoice_order(with_down_payment, 15)
            refund = self._invoice(customer, 30, 0, [(consulting, 3)], move_type='out_refund')
            self._pay(refund, refund.amount_total, 28)
            self._pay_online(not_due, 'pending', 1, provider_xmlid='payment.payment_provider_transfer')
            self._pay_online(partial, 'cancel', 10, amount=partial.amount_residual)
        elif index == 1:
            # Bluebird: the down payment is paid but not yet deducted; a credit note not yet applied.
            self._pay(down_payment, down_payment.amount_total, 30)
            self._invoice(customer, 15, 0, [(consulting, 2)], move_type='out_refund')
            self._pay_online(not_due, 'pending', 2)
        # Harbor: the down payment invoice is still to be paid.

    def _generate_foreign_currency_documents(self, customer):
        eur = self.env.ref('base.EUR')
        if eur == self.env.company.currency_id:
            return
        eur.active = True
        consulting = self.env.ref('customer_portal.product_consulting')
        self._invoice(customer, 60, 30, [(consulting, 16)], currency=eur)
        paid = self._invoice(customer, 35, 30, [(consulting, 9)], currency=eur)
        self._pay(paid, paid.amount_residual, 20)

    def _enable_bank_debit(self):
        """ACH Direct Debit on the demo provider, so that the customer allowed to pay via bank
        account (Northwind) sees a bank debit beside the card, and the others do not."""
        provider = self.env.ref('payment.payment_provider_demo', raise_if_not_found=False)
        ach = self.env.ref('payment.payment_method_ach_direct_debit', raise_if_not_found=False)
        if not provider or not ach or provider.state == 'disabled':
            return
        ach.provider_ids = [Command.link(provider.id)]  # a method is enabled only with a provider
        ach.active = True

    @api.model
    def _send_customer_invoices(self, partner_ids):
        """_send_invoices for the demo data files of the bridges, which can pass ids only."""
        self._send_invoices(self.env['res.partner'].browse(partner_ids))

    def _send_invoices(self, customers):
        """Send the posted invoices and credit notes not sent yet as Odoo sends several at once:
        in the background, by its "Send invoices automatically" job (``account.move.send``), which
        generates and attaches each legal PDF and marks the invoice sent, so that neither the
        portal nor the PDF reads PROFORMA. By download (the customers' sending method) rather than
        email: no mail leaves a demo database. In the background because the PDF needs the server
        running (wkhtmltopdf loads its styles from it), which it is not while the demo data is installed."""
        moves = (
            self.env['account.move']
            .search(
                [
                    ('partner_id', 'child_of', customers.ids),
                    ('move_type', 'in', ('out_invoice', 'out_refund')),
                    ('state', '=', 'posted'),
                    ('is_move_sent', '=', False),
                    ('sending_data', '=', False),
                ]
            )
            .filtered(lambda move: not move.invoice_pdf_report_id)
        )
        if not moves:
            return
        # One PDF per wkhtmltopdf run (stock's batch size is 80): Debian's wkhtmltopdf (unpatched Qt)
        # writes nothing when given several invoices at once.
        params = self.env['ir.config_parameter'].sudo()
        if not params.get_param('account.pdf_generation_batch'):
            params.set_param('account.pdf_generation_batch', '0')
        # the demo customers' "Invoice sending" is Download (demo/customer_portal_demo.xml)
        author = moves.invoice_user_id[:1] or self.env.user
        moves.sending_data = {'author_user_id': author.id, 'author_partner_id': author.partner_id.id}
        self.env.ref('account.ir_cron_account_move_send')._trigger()

    @api.model
    def _company_logo(self, initials, color, size=256):
        """A square PNG logo: ``initials`` in white on ``color``, base64-encoded."""
        image = Image.new('RGBA', (size, size), (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 6, fill=color)
        try:
            font = ImageFont.truetype(file_path('web/static/fonts/lato/Lato-Bol-webfont.ttf'), size * 2 // 5)
        except OSError:
            font = ImageFont.load_default()
        draw.text((size / 2, size / 2), initials, font=font, fill='white', anchor='mm')
        output = io.BytesIO()
        image.save(output, format='PNG')
        return base64.b64encode(output.getvalue())

    # ------------------------------------------------------------------
    # Building blocks
    # ------------------------------------------------------------------

    def _days_ago(self, days_ago):
        return fields.Date.context_today(self) - timedelta(days=days_ago)

    def _invoice(
        self, partner, days_ago, due_days, lines, move_type='out_invoice', post=True, currency=None, reversed_entry=None
    ):
        invoice_date = self._days_ago(days_ago)
        move = self.env['account.move'].create(
            {
                'move_type': move_type,
                'partner_id': partner.id,
                'invoice_date': invoice_date,
                'invoice_date_due': invoice_date + timedelta(days=due_days),
                'currency_id': (currency or self.env.company.currency_id).id,
                'reversed_entry_id': reversed_entry and reversed_entry.id,
                'invoice_line_ids': [
                    Command.create({'product_id': product.id, 'quantity': quantity}) for product, quantity in lines
                ],
            }
        )
        if post:
            move.action_post()
        return move

    def _bank_journal(self):
        return self.env['account.journal'].search(
            [('company_id', '=', self.env.company.id), ('type', '=', 'bank')], limit=1
        )

    def _pay(self, move, amount, days_ago):
        """An offline payment (bank) or, for a credit note, the refund paid back."""
        return (
            self.env['account.payment.register']
            .with_context(
                active_model='account.move',
                active_ids=move.ids,
            )
            .create(
                {
                    'amount': move.currency_id.round(amount),
                    'payment_date': self._days_ago(days_ago),
                    'journal_id': self._bank_journal().id,
                }
            )
            ._create_payments()
        )

    def _reconcile(self, moves):
        moves.line_ids.filtered(
            lambda line: line.account_id.account_type == 'asset_receivable' and not line.reconciled
        ).reconcile()

    def _pay_online(self, invoice, state, days_ago, amount=None, provider_xmlid='payment.payment_provider_demo'):
        """A transaction as if the customer had paid from the portal: with the demo payment
        provider, or a bank transfer announced through the Wire Transfer provider."""
        provider = self.env.ref(provider_xmlid, raise_if_not_found=False)
        if not provider or provider.state == 'disabled' or not provider.journal_id:
            return None
        Transaction = self.env['payment.transaction']
        tx = Transaction.create(
            {
                'provider_id': provider.id,
                'payment_method_id': provider.payment_method_ids[:1].id,
                'reference': Transaction._compute_reference(provider.code, invoice_ids=[Command.set(invoice.ids)]),
                'amount': amount or invoice.amount_residual,
                'currency_id': invoice.currency_id.id,
                'partner_id': invoice.partner_id.id,
                'operation': 'online_direct',
                'invoice_ids': [Command.set(invoice.ids)],
            }
        )
        if state == 'done':
            tx._set_done()
            tx._create_payment(date=self._days_ago(days_ago))
            tx.is_post_processed = True
        elif state == 'pending':
            tx._set_pending()
        else:
            tx._set_canceled()
            tx.is_post_processed = True
        return tx

    def _sale_order(self, partner, days_ago, lines):
        return self.env['sale.order'].create(
            {
                'partner_id': partner.id,
                'date_order': fields.Datetime.now() - timedelta(days=days_ago),
                'validity_date': self._days_ago(days_ago - 30),
                'order_line': [
                    Command.create({'product_id': product.id, 'product_uom_qty': quantity})
                    for product, quantity in lines
                ],
            }
        )

    def _invoice_order(self, order, days_ago):
        invoices = order._create_invoices(final=True)
        invoices.invoice_date = self._days_ago(days_ago)
        invoices.action_post()
        return invoices

    def _down_payment(self, order, percentage, days_ago):
        wizard = (
            self.env['sale.advance.payment.inv']
            .with_context(
                active_model='sale.order',
                active_ids=order.ids,
            )
            .create({'advance_payment_method': 'percentage', 'amount': percentage})
        )
        invoice = wizard._create_invoices(order)
        invoice.invoice_date = self._days_ago(days_ago)
        invoice.action_post()
        return invoice

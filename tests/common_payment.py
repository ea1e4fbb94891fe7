import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, new_test_user
from odoo.tests.common import get_db_name

from odoo.addons.payment.tests.common import PaymentCommon
from odoo.addons.payment.tests.http_common import PaymentHttpCommon

from .common import PortalHttpCase, PortalUserCommon


class PortalPaymentCommon(PortalUserCommon, PaymentCommon):
    """Customers, portal users, invoices and the demo provider for the payment tests (issue 4).

    Stock's PaymentCommon with our demo provider in place of its dummy one (disabled, so that the
    pages offer the demo provider alone), and transactions post-processed for real (payments made).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.enable_post_process_patcher = False  # as AccountPaymentCommon: real payments are made
        cls.dummy_provider.write({'state': 'disabled', 'is_published': False})
        env = cls.env
        cls.company = env.company
        if not cls.company.chart_template:
            env['account.chart.template'].try_loading('generic_coa', cls.company, install_demo=False)
        cls.company.write({'portal_prevent_duplicate_payment': True, 'portal_bulk_payment': True})
        env['ir.config_parameter'].sudo().set_param('account_payment.enable_portal_payment', True)
        cls.currency = cls.company.currency_id
        cls.other_currency = env.ref('base.EUR' if cls.currency.name != 'EUR' else 'base.USD')
        cls.other_currency.active = True

        cls.bank_journal = env['account.journal'].search(
            [('type', '=', 'bank'), ('company_id', '=', cls.company.id)], limit=1
        )
        cls.provider = env.ref('payment.payment_provider_demo')
        cls.provider.write({'state': 'test', 'is_published': True, 'company_id': cls.company.id})
        if not cls.provider.journal_id:
            cls.provider.journal_id = cls.bank_journal
        cls.payment_method = cls.payment_methods = env.ref('payment_demo.payment_method_demo')
        cls.payment_method_id, cls.payment_method_code = cls.payment_method.id, cls.payment_method.code

        Partner = env['res.partner']
        cls.customer = Partner.create({'name': 'Gemini Furniture', 'is_company': True, 'email': 'gemini@example.com'})
        cls.contact_1 = Partner.create(
            {'name': 'Anna Gemini', 'parent_id': cls.customer.id, 'email': 'anna@example.com'}
        )
        cls.contact_2 = Partner.create({'name': 'Bob Gemini', 'parent_id': cls.customer.id, 'email': 'bob@example.com'})
        cls.other_customer = Partner.create({'name': 'Deco Addict', 'is_company': True, 'email': 'deco@example.com'})
        cls.portal_user_1 = new_test_user(
            env, login='cp_pay_anna', groups='base.group_portal', partner_id=cls.contact_1.id
        )
        cls.portal_user_2 = new_test_user(
            env, login='cp_pay_bob', groups='base.group_portal', partner_id=cls.contact_2.id
        )
        cls.other_portal_user = new_test_user(
            env, login='cp_pay_deco', groups='base.group_portal', partner_id=cls.other_customer.id
        )
        cls.internal_user = new_test_user(env, login='cp_pay_employee', groups='base.group_user')

    @classmethod
    def _create_invoices(cls, partner, amounts, currency=None, post=True, **values):
        invoices = cls.env['account.move'].create(
            [
                {
                    'move_type': 'out_invoice',
                    'partner_id': partner.id,
                    'currency_id': (currency or cls.currency).id,
                    'invoice_date': '2026-01-15',
                    'invoice_date_due': '2026-02-15',
                    'invoice_line_ids': [
                        Command.create({'name': 'Consulting', 'quantity': 1, 'price_unit': amount, 'tax_ids': []}),
                    ],
                    **values,
                }
                for amount in amounts
            ]
        )
        if post:
            invoices.action_post()
        return invoices

    @classmethod
    def _create_invoice(cls, partner, amount, **kwargs):
        return cls._create_invoices(partner, [amount], **kwargs)

    @classmethod
    def _register_payment(cls, invoice, amount, memo=None):
        """A payment of ``amount`` registered on ``invoice`` in the bank journal, as the back office does."""
        wizard = (
            cls.env['account.payment.register']
            .with_context(active_model='account.move', active_ids=invoice.ids)
            .create({'amount': amount, 'journal_id': cls.bank_journal.id, 'communication': memo or invoice.name})
        )
        return wizard._create_payments()

    @classmethod
    def _create_payments(cls, partner, amounts, memo='Payment'):
        """Posted customer payments of ``partner`` in the bank journal, applied to no invoice."""
        payments = cls.env['account.payment'].create(
            [
                {
                    'payment_type': 'inbound',
                    'partner_type': 'customer',
                    'partner_id': partner.id,
                    'amount': amount,
                    'journal_id': cls.bank_journal.id,
                    'memo': memo,
                }
                for amount in amounts
            ]
        )
        payments.action_post()
        return payments

    @classmethod
    def _create_tx(cls, invoices, state='draft', amount=None, partner=None, **values):
        tx = (
            cls.env['payment.transaction']
            .sudo()
            .create(
                {
                    'provider_id': cls.provider.id,
                    'payment_method_id': cls.payment_method.id,
                    'amount': amount if amount is not None else sum(invoices.mapped('amount_residual')),
                    'currency_id': invoices[:1].currency_id.id or cls.currency.id,
                    'partner_id': (partner or invoices[:1].partner_id).id,
                    'operation': 'online_direct',
                    'invoice_ids': [Command.set(invoices.ids)],
                    **values,
                }
            )
        )
        if state == 'pending':
            tx._set_pending()
        elif state == 'authorized':
            tx._set_authorized()
        elif state == 'done':
            tx._set_done()
        elif state == 'cancel':
            tx._set_canceled()
        elif state == 'error':
            tx._set_error("Declined")
        return tx

    @staticmethod
    def _active_txs(invoices):
        return (
            invoices.env['payment.transaction']
            .sudo()
            .search(
                [
                    ('invoice_ids', 'in', invoices.ids),
                    ('state', 'in', ('draft', 'pending', 'authorized', 'done')),
                ]
            )
        )


class PortalPaymentHttpCommon(PortalPaymentCommon, PaymentHttpCommon, PortalHttpCase):
    """The payment data over HTTP: JSON-RPC helpers that return the decoded answer (``result`` or
    ``error``), the portal helpers of PortalHttpCase."""

    def _assert_rpc_error(self, answer, message=None):
        self.assertIn('error', answer, answer)
        if message:
            self.assertIn(message, answer['error']['data']['message'])

    def _tx_params(self, **params):
        return {
            'provider_id': self.provider.id,
            'payment_method_id': self.payment_method.id,
            'token_id': None,
            'flow': 'direct',
            'tokenization_requested': False,
            'landing_route': '/my/invoices',
            'is_validation': False,
            **params,
        }


class PortalPaymentConcurrencyCase(BaseCase):
    """Payments started at the same moment on committed data, from real cursors in threads.

    A customer (``CUSTOMER``) and ``INVOICE_COUNT`` posted invoices of ``INVOICE_AMOUNT`` are
    committed before the class and deleted after it, with the transactions made on them.
    """

    CUSTOMER = {'name': 'Concurrent Customer'}
    INVOICE_COUNT = 5
    INVOICE_AMOUNT = 100.0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env.company.portal_prevent_duplicate_payment = True
            if not env.company.chart_template:
                env['account.chart.template'].try_loading('generic_coa', env.company, install_demo=False)
            cls._setup_committed_data(env)
            partner = env['res.partner'].create(cls.CUSTOMER)
            line = {'name': 'Line', 'quantity': 1, 'price_unit': cls.INVOICE_AMOUNT, 'tax_ids': []}
            invoices = env['account.move'].create(
                [
                    {'move_type': 'out_invoice', 'partner_id': partner.id, 'invoice_line_ids': [Command.create(line)]}
                    for _i in range(cls.INVOICE_COUNT)
                ]
            )
            invoices.action_post()
            cls.partner_id = partner.id
            cls.invoice_ids = invoices.ids
            cls.currency_id = invoices[0].currency_id.id
            cls.provider_id = env.ref('payment.payment_provider_demo').id
            cls.payment_method_id = env.ref('payment_demo.payment_method_demo').id
        cls.addClassCleanup(cls._cleanup_data)

    @classmethod
    def _setup_committed_data(cls, env):
        """Hook: what a class commits before the customer and its invoices are made."""

    @classmethod
    def _cleanup_data(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env['payment.transaction'].search([('invoice_ids', 'in', cls.invoice_ids)]).unlink()
            invoices = env['account.move'].browse(cls.invoice_ids).exists()
            invoices.button_draft()
            invoices.with_context(force_delete=True).unlink()
            env['res.partner'].browse(cls.partner_id).unlink()

    @contextmanager
    def _thread_env(self):
        """A superuser environment on a cursor of its own (one per thread), rolled back unless committed."""
        with self.registry.cursor() as cr:
            # The test runner holds the registry lock: give the cursor its registry directly.
            cr.transaction = api.Transaction(self.registry)
            yield api.Environment(cr, SUPERUSER_ID, {})

    def _race(self, attempt, selections):
        """Call ``attempt(barrier, invoice_ids)`` for each selection at once, one thread each; their results."""
        barrier = threading.Barrier(len(selections))
        with ThreadPoolExecutor(max_workers=len(selections)) as executor:
            futures = [executor.submit(attempt, barrier, invoice_ids) for invoice_ids in selections]
            return [future.result(timeout=120) for future in futures]

    def _transaction_values(self, invoice_ids, **values):
        """The values of a demo transaction paying ``invoice_ids`` in full."""
        return {
            'provider_id': self.provider_id,
            'payment_method_id': self.payment_method_id,
            'amount': self.INVOICE_AMOUNT * len(invoice_ids),
            'currency_id': self.currency_id,
            'partner_id': self.partner_id,
            'operation': 'online_direct',
            'invoice_ids': [Command.set(invoice_ids)],
            **values,
        }

import json

from odoo import Command
from odoo.tests import new_test_user


class PortalPaymentCommon:
    """Customers, portal users, invoices and the demo provider for the payment tests (issue 4).

    Mixed into TransactionCase / HttpCase classes: ``_setup_portal_payment_data`` is called from
    their setUpClass with ``cls.env``.
    """

    @classmethod
    def _setup_portal_payment_data(cls):
        env = cls.env
        cls.company = env.company
        if not cls.company.chart_template:
            env['account.chart.template'].try_loading('generic_coa', cls.company, install_demo=False)
        cls.company.write({'portal_prevent_duplicate_payment': True, 'portal_bulk_payment': True})
        env['ir.config_parameter'].sudo().set_param('account_payment.enable_portal_payment', True)
        cls.currency = cls.company.currency_id
        cls.other_currency = env.ref('base.EUR' if cls.currency.name != 'EUR' else 'base.USD')
        cls.other_currency.active = True

        cls.provider = env.ref('payment.payment_provider_demo')
        cls.provider.write({'state': 'test', 'is_published': True, 'company_id': cls.company.id})
        if not cls.provider.journal_id:
            cls.provider.journal_id = env['account.journal'].search(
                [('type', '=', 'bank'), ('company_id', '=', cls.company.id)], limit=1
            )
        cls.payment_method = env.ref('payment_demo.payment_method_demo')

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


class PortalPaymentHttpMixin:
    """JSON-RPC helpers for HttpCase: return the decoded answer (``result`` or ``error``)."""

    def _jsonrpc(self, route, params=None, raw_params=None):
        if raw_params is not None:
            data = '{"jsonrpc": "2.0", "method": "call", "id": 1, "params": %s}' % raw_params
        else:
            data = json.dumps({'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': params or {}})
        response = self.url_open(route, data=data.encode(), headers={'Content-Type': 'application/json'})
        self.assertNotEqual(response.status_code, 500, response.text[:500])
        return response.json()

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

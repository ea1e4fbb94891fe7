"""Customers A and B with documents only they may see, the hostile tokens tried on them, and the
routes of the addon read from the routing map: shared by the security and hostile-input tests."""

import inspect
import json
import re
from urllib.parse import quote, urlencode

from odoo import Command, http

from .common_payment import PortalPaymentHttpCommon

OUR_MODULE = 'odoo.addons.customer_portal'
# Modules of the addon and of its bridges (customer_portal_<app>), test modules left out.
OUR_CODE_RE = re.compile(rf'{re.escape(OUR_MODULE)}(_\w+)?\.(?!tests\b)')
NUL = '\x00'

# Stock routes we guard, tested even though we may not override them.
GUARDED_STOCK_ROUTES = {
    '/invoice/transaction/<int:invoice_id>',
    '/invoice/transaction/overdue',
    '/my/invoices/overdue',
    '/my/invoices/<int:invoice_id>',
    '/payment/pay',
    '/web/login/totp',
    '/my/security',
    '/my/account',
    '/my/payment_method',
}

# Parameters read from **kwargs (not named in any signature) by some routes.
EXTRA_PARAMS = {
    '/web/login': ('login', 'password', 'portal'),
    '/web/login/totp': ('totp_token',),
    '/web/login/totp/enroll': ('totp_token',),
    '/my/security': ('old', 'new1', 'new2'),
    '/my/account': ('name', 'phone', 'email', 'street', 'city', 'zipcode', 'country_id', 'state_id', 'vat'),
    '/my/payment_method': ('partner_id', 'company_id', 'amount', 'currency_id'),
}
# Keyword arguments of the transaction routes (payment.controllers.portal._validate_transaction_kwargs).
TX_PARAMS = (
    'amount',
    'currency_id',
    'provider_id',
    'payment_method_id',
    'token_id',
    'flow',
    'tokenization_requested',
    'landing_route',
    'is_validation',
)

# What every parameter gets; the id / amount / token lists add what matters for their kind.
TEXT_VALUES = ['', '0', '-1', 'NaN', 'abc', NUL, 'x' * 4096, '[1,2]', '{"a":1}', '١٢٣', '1 OR 1=1']
NUMBER_VALUES = [
    '',
    '0',
    '-1',
    '99999999',
    '2147483648',
    '1e9',
    'NaN',
    'abc',
    NUL,
    '9' * 4096,
    '[1,2]',
    '{"a":1}',
    '١٢٣',
    '1 OR 1=1',
]
AMOUNT_VALUES = NUMBER_VALUES + ['inf', '-0.01', '0.001']
DATE_VALUES = TEXT_VALUES + ['2026-02-30', '0000-00-00', '99999-01-01']
# Real JSON types, for json routes only.
JSON_VALUES = [None, True, -1, 2**31, 1e308, float('nan'), [1, 2], {'a': 1}]


def _rule_controller_method(rule):
    """(controller instance, method name) of a routing rule's endpoint (functools.partial of the bound method)."""
    bound = getattr(rule.endpoint, 'func', None)
    return getattr(bound, '__self__', None), getattr(bound, '__name__', None)


def _rule_definitions(rule):
    """The original functions of every class of the controller that defines the route's method."""
    ctrl, name = _rule_controller_method(rule)
    if ctrl is None:
        return []
    functions = []
    for cls in type(ctrl).mro():
        method = vars(cls).get(name)
        if method is not None:
            functions.append(getattr(method, 'original_endpoint', method))
    return functions


def _is_ours(rule):
    """The route is defined or overridden in the addon or a bridge (test-only routes left out)."""
    functions = [getattr(rule.endpoint, 'original_endpoint', None), *_rule_definitions(rule)]
    return any(function is not None and OUR_CODE_RE.match(function.__module__) for function in functions)


def hostile_token_values(right, other):
    """(label, value) of each wrong access token made from the ``right`` token of a document and
    the token of ``other`` document: the cases that every token test sends."""
    changed = right[:-1] + ('0' if right[-1] != '0' else '1')
    return [
        ('empty', ''),
        ('one character changed', changed),
        ("another document's token", other),
        ('4 kB', 'a' * 4096),
        ('non-ASCII', '¿'),
        ('non-ASCII after the right token', right + '¿'),
        ('NUL byte', right + NUL),
        ('control character', '\n' + right),
    ]


class PortalSecurityCommon(PortalPaymentHttpCommon):
    """Customer A (Gemini: Anna signs in) and customer B (Deco), each with documents whose names
    and amounts (the markers) are found nowhere else; see ``_customer_documents``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.portal_display_credit_notes = True
        cls.docs = cls._setup_customer_documents()
        cls.env.flush_all()

    @classmethod
    def _setup_customer_documents(cls):
        """{'A': documents, 'B': documents}, see ``_customer_documents``."""
        return {
            'A': cls._customer_documents(cls.contact_1, [4617.23, 1289.57], 283.19, 97.61, ordered=612.43),
            'B': cls._customer_documents(cls.other_customer, [5729.41, 2398.65], 394.67, 86.72, ordered=723.54),
        }

    @classmethod
    def _customer_documents(cls, partner, amounts, paid, refunded, ordered=None):
        """Two invoices of ``partner`` (``amounts``), a payment of ``paid`` on the second one, a credit
        note of ``refunded``, all with their access token; with ``ordered``, also a confirmed sales
        order of that amount and a draft transaction of 11.00 on the second invoice. ``markers``:
        the customer's name, the documents' names and their amounts, as the pages write them."""
        invoices = cls._create_invoices(partner, amounts)
        credit_note = cls._create_invoices(partner, [refunded], move_type='out_refund')
        payment = (
            cls.env['account.payment.register']
            .with_context(active_model='account.move', active_ids=invoices[1].ids)
            .create({'amount': paid, 'payment_difference_handling': 'open'})
            ._create_payments()
        )
        for move in invoices + credit_note:
            move._portal_ensure_token()
        docs = {'invoice': invoices[0], 'invoice_2': invoices[1], 'credit_note': credit_note, 'payment': payment}
        residual = invoices[1].amount_residual
        markers = [partner.commercial_partner_id.name, *(invoices + credit_note).mapped('name'), payment.name]
        figures = [*amounts, paid, refunded, residual]
        if ordered is not None:
            product = cls.env['product.product'].create({'name': 'Portal audit', 'type': 'service'})
            order = cls.env['sale.order'].create(
                {
                    'partner_id': partner.id,
                    'order_line': [Command.create({'product_id': product.id, 'price_unit': ordered, 'tax_id': []})],
                }
            )
            order.action_confirm()
            order.message_subscribe(partner.ids)
            order._portal_ensure_token()
            docs['order'] = order
            docs['tx'] = cls._create_tx(invoices[1], amount=11.0, partner=partner)
            markers += [order.name, docs['tx'].reference]
            figures.append(ordered)
        for amount in figures:
            markers += [f'{amount:,.2f}', f'{amount:.2f}']
        docs['markers'] = markers
        return docs

    def _hostile_token_cases(self, name, right, other):
        """(label, query-string fragment) of each hostile value of the token parameter ``name``:
        the wrong tokens of ``hostile_token_values`` and the shapes a query string adds."""
        return [
            ('missing', ''),
            ('array', f'{name}[]={right}'),
            ('array with index', f'{name}[0]={right}'),
            ('repeated, right one first', f'{name}={right}&{name}={hostile_token_values(right, other)[1][1]}'),
        ] + [(label, f'{name}={quote(value)}') for label, value in hostile_token_values(right, other)]

    # ------------------------------------------------------------
    # Routes of the routing map, their parameters, requests to them
    # ------------------------------------------------------------

    def _routes(self):
        rules = [
            rule
            for rule in self.env['ir.http'].routing_map().iter_rules()
            if rule.rule in GUARDED_STOCK_ROUTES or _is_ours(rule)
        ]
        return sorted(rules, key=lambda rule: rule.rule)

    def _route_params(self, rule):
        """Path arguments, then the named parameters of every definition, then those read from **kw."""
        names = {}
        for argument in sorted(rule.arguments):
            names[argument] = 'path'
        for function in _rule_definitions(rule):
            for parameter in inspect.signature(function).parameters.values():
                if parameter.name != 'self' and parameter.kind in (
                    parameter.POSITIONAL_OR_KEYWORD,
                    parameter.KEYWORD_ONLY,
                ):
                    names.setdefault(parameter.name, 'query')
        for name in EXTRA_PARAMS.get(rule.rule, ()):
            names.setdefault(name, 'query')
        if rule.endpoint.routing['type'] == 'json' and '/transaction' in rule.rule:
            for name in TX_PARAMS:
                names.setdefault(name, 'query')
        if any(kind == 'path' and name != 'page' for name, kind in names.items()):
            names.setdefault('access_token', 'query')  # document routes read it from **kw
        return names

    @staticmethod
    def _url(rule, path_values):
        """The rule's path with each <converter:argument> placeholder replaced by its (quoted) value."""
        url, position = rule.rule, 0
        while '<' in url[position:]:
            start = url.index('<', position)
            end = url.index('>', start)
            argument = url[start + 1 : end].split(':')[-1]
            value = quote(str(path_values[argument]), safe='')
            url = url[:start] + value + url[end + 1 :]
            position = start + len(value)
        return url

    def _send(self, rule, method, path_values, params):
        url = self._url(rule, path_values)
        if rule.endpoint.routing['type'] == 'json':
            if method == 'GET':
                return self.url_open(url, allow_redirects=False)
            body = json.dumps({'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': params})
            return self.url_open(
                url, data=body.encode(), headers={'Content-Type': 'application/json'}, allow_redirects=False
            )
        if method == 'GET':
            query = urlencode(params)
            return self.url_open(url + ('?' + query if query else ''), allow_redirects=False)
        return self.url_open(url, data={**params, 'csrf_token': http.Request.csrf_token(self)}, allow_redirects=False)

    def _methods(self, rule):
        declared = rule.endpoint.routing.get('methods')
        if rule.endpoint.routing['type'] == 'json':
            return 'json'
        if not declared:
            return 'alternate'  # any method: the values are shared between GET and POST
        if 'GET' in declared and 'POST' in declared:
            return 'both'
        return 'GET' if 'GET' in declared else 'POST'

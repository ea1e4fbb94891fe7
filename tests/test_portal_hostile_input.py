"""No route answers 500 to a malformed request, bad input changes nothing, and no document bytes leak.

Every http / json route this addon defines or overrides is found in the routing map (so a route
added later is covered without touching this file), plus the stock routes we guard. Each one is
called as anonymous, as a portal user of customer A and as a portal user of customer B, with
hostile values in every path and query / body parameter it accepts.
"""
import inspect
import json
import logging
import time
from collections import Counter
from urllib.parse import quote, urlencode

from odoo import http
from odoo.tests import tagged

from .common import PortalHttpCase
from .common_payment import PortalPaymentCommon, PortalPaymentHttpMixin

_logger = logging.getLogger(__name__)

OUR_MODULE = 'odoo.addons.customer_portal'

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
TX_PARAMS = ('amount', 'currency_id', 'provider_id', 'payment_method_id', 'token_id', 'flow',
             'tokenization_requested', 'landing_route', 'is_validation')

NUL = '\x00'
# What every parameter gets; the id / amount / token lists add what matters for their kind.
TEXT_VALUES = ['', '0', '-1', 'NaN', 'abc', NUL, 'x' * 4096, '[1,2]', '{"a":1}', '١٢٣', '1 OR 1=1']
NUMBER_VALUES = ['', '0', '-1', '99999999', '2147483648', '1e9', 'NaN', 'abc', NUL, '9' * 4096,
                 '[1,2]', '{"a":1}', '١٢٣', '1 OR 1=1']
AMOUNT_VALUES = NUMBER_VALUES + ['inf', '-0.01', '0.001']
DATE_VALUES = TEXT_VALUES + ['2026-02-30', '0000-00-00', '99999-01-01']
# Real JSON types, for json routes only.
JSON_VALUES = [None, True, -1, 2 ** 31, 1e308, float('nan'), [1, 2], {'a': 1}]


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
    """The route is defined or overridden in the addon (test-only routes of other tests left out)."""
    functions = [getattr(rule.endpoint, 'original_endpoint', None), *_rule_definitions(rule)]
    return any(
        function is not None and function.__module__.startswith(OUR_MODULE + '.')
        and not function.__module__.startswith(OUR_MODULE + '.tests')
        for function in functions
    )


@tagged('post_install', '-at_install')
class TestPortalHostileInput(PortalPaymentCommon, PortalPaymentHttpMixin, PortalHttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_portal_payment_data()
        cls.company.portal_display_credit_notes = True
        # Customer A (Gemini, Anna) and customer B (Deco): two invoices, a partial payment and a
        # credit note each, with amounts that appear nowhere else.
        cls.docs = {
            'A': cls._customer_documents(cls.customer, cls.contact_1, [4321.87, 1357.91], 111.29, 246.13),
            'B': cls._customer_documents(cls.other_customer, cls.other_customer, [9876.53, 8642.19], 222.47, 135.79),
        }
        cls.users = {'anonymous': None, 'A': cls.portal_user_1, 'B': cls.other_portal_user}
        cls.env.flush_all()

    @classmethod
    def _customer_documents(cls, customer, partner, amounts, paid, refunded):
        invoices = cls._create_invoices(partner, amounts)
        credit_note = cls._create_invoices(partner, [refunded], move_type='out_refund')
        payment = cls.env['account.payment.register'].with_context(
            active_model='account.move', active_ids=invoices[1].ids,
        ).create({'amount': paid, 'payment_difference_handling': 'open'})._create_payments()
        for move in invoices + credit_note:
            move._portal_ensure_token()
        residual = invoices[1].amount_residual
        markers = [customer.name, *(invoices + credit_note).mapped('name'), payment.name]
        for amount in (*amounts, paid, refunded, residual):
            markers += [f'{amount:,.2f}', f'{amount:.2f}']
        return {
            'invoice': invoices[0], 'invoice_2': invoices[1], 'credit_note': credit_note,
            'payment': payment, 'markers': markers,
        }

    # ------------------------------------------------------------
    # Routes and their parameters
    # ------------------------------------------------------------

    def _routes(self):
        rules = [
            rule for rule in self.env['ir.http'].routing_map().iter_rules()
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
                        parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
                    names.setdefault(parameter.name, 'query')
        for name in EXTRA_PARAMS.get(rule.rule, ()):
            names.setdefault(name, 'query')
        if rule.endpoint.routing['type'] == 'json' and '/transaction' in rule.rule:
            for name in TX_PARAMS:
                names.setdefault(name, 'query')
        if any(kind == 'path' and name != 'page' for name, kind in names.items()):
            names.setdefault('access_token', 'query')  # document routes read it from **kw
        return names

    def _path_document(self, argument, owner):
        docs = self.docs[owner]
        if 'payment' in argument:
            return docs['payment']
        if 'credit_note' in argument:
            return docs['credit_note']
        return docs['invoice']

    def _baseline_path(self, argument, foreign):
        if argument == 'page':
            return '1'
        if argument == 'slug':
            return 'no-such-portal'
        return str(self._path_document(argument, foreign).id)

    def _hostile_values(self, name, kind, caller, foreign, is_json):
        foreign_docs = self.docs[foreign]
        foreign_ids = [str(foreign_docs[key].id) for key in ('invoice', 'invoice_2', 'credit_note', 'payment')]
        if name == 'access_token':
            target = self._path_document('invoice_id', foreign)
            token = target.access_token
            values = ['', foreign_docs['invoice_2'].access_token, token[:-1] + ('a' if token[-1] != 'a' else 'b'),
                      'a' * 4096, '[1,2]', NUL, '¿', token + '¿', '\n' + token]
        elif name == 'amount':
            values = AMOUNT_VALUES
        elif name.startswith('date') or name.endswith('_date'):
            values = DATE_VALUES
        elif kind == 'path' or name.endswith('_id') or name.endswith('_ids') or name == 'page':
            values = NUMBER_VALUES + foreign_ids
            if name == 'partner_id':
                values = values + [str(foreign_docs['invoice'].commercial_partner_id.id)]
        else:
            values = TEXT_VALUES
        values = list(values)
        if is_json and kind != 'path':
            values += JSON_VALUES
            if name.endswith('_ids'):
                values += [[int(i) for i in foreign_ids], [foreign_docs['invoice'].id, 'x'], [2 ** 31]]
        return values

    # ------------------------------------------------------------
    # What must hold after each request
    # ------------------------------------------------------------

    def _db_state(self):
        self.env.flush_all()
        partners = (self.customer | self.other_customer).ids
        users = [user.id for user in self.users.values() if user]
        self.env.cr.execute("""
            SELECT (SELECT count(*) FROM payment_transaction),
                   (SELECT count(*) FROM account_payment),
                   (SELECT count(*) FROM account_move),
                   (SELECT count(*) FROM res_users_mfa_attempt),
                   (SELECT count(*) FROM res_users_backup_code),
                   (SELECT count(*) FROM mail_mail),
                   (SELECT count(*) FROM mail_message WHERE model = 'account.move'),
                   (SELECT count(*) FROM ir_attachment WHERE res_model IN ('account.move', 'account.payment')),
                   (SELECT string_agg(concat_ws(':', m.id, m.state, m.payment_state, m.amount_residual,
                                                m.access_token), ',' ORDER BY m.id)
                      FROM account_move m JOIN res_partner p ON p.id = m.partner_id
                     WHERE p.commercial_partner_id IN %s),
                   (SELECT string_agg(concat_ws(':', id, password, totp_secret, active), ',' ORDER BY id)
                      FROM res_users WHERE id IN %s)
        """, [tuple(partners), tuple(users)])
        return self.env.cr.fetchone()

    def _last_ids(self):
        self.env.cr.execute("SELECT (SELECT max(id) FROM payment_transaction), (SELECT max(id) FROM mail_message)")
        return self.env.cr.fetchone()

    def _check_accepted_payment(self, response, caller, last_ids):
        """A transaction route accepted the request (a value it reads as "not given", such as an
        empty payment reference): it must have made only a transaction of the caller's own
        invoices, for the amount computed on the server. It is then removed for the next request."""
        answer = response.json()
        self.assertIn('result', answer, "a refused request changed the database")
        customer = self.users[caller].partner_id.commercial_partner_id
        transactions = self.env['payment.transaction'].sudo().search([('id', '>', last_ids[0] or 0)])
        self.assertTrue(transactions, "an accepted request changed the database without a transaction")
        for tx in transactions:
            self.assertEqual(tx.partner_id.commercial_partner_id, customer)
            self.assertTrue(tx.invoice_ids)
            self.assertEqual(tx.invoice_ids.commercial_partner_id, customer)
            self.assertAlmostEqual(tx.amount, sum(tx.invoice_ids.mapped('amount_residual')))
        self.env.cr.execute("DELETE FROM payment_transaction WHERE id > %s", [last_ids[0] or 0])
        self.env.cr.execute("DELETE FROM mail_message WHERE id > %s", [last_ids[1] or 0])
        self.env.invalidate_all()

    def _check_response(self, response, markers, is_json):
        self.assertLess(response.status_code, 500, response.text[:1000])
        body = response.content.decode('utf-8', 'replace') + response.headers.get('Location', '')
        for marker in markers:
            self.assertNotIn(marker, body, "the answer holds another customer's document")
        self.assertNotIn('application/pdf', response.headers.get('Content-Type', ''))
        if is_json and response.status_code == 200 and response.content:
            answer = response.json()
            error = answer.get('error')
            if error:
                name = (error.get('data') or {}).get('name', '')
                self.assertTrue(
                    error.get('code') in (100, 404) or (
                        name.startswith(('odoo.exceptions.', 'werkzeug.exceptions.'))
                        and 'InternalServerError' not in name),
                    f"server error: {name} {(error.get('data') or {}).get('message', '')[:500]}")

    # ------------------------------------------------------------
    # Requests
    # ------------------------------------------------------------

    @staticmethod
    def _url(rule, path_values):
        """The rule's path with each <converter:argument> placeholder replaced by its (quoted) value."""
        url, position = rule.rule, 0
        while '<' in url[position:]:
            start = url.index('<', position)
            end = url.index('>', start)
            argument = url[start + 1:end].split(':')[-1]
            value = quote(str(path_values[argument]), safe='')
            url = url[:start] + value + url[end + 1:]
            position = start + len(value)
        return url

    def _send(self, rule, method, path_values, params):
        url = self._url(rule, path_values)
        if rule.endpoint.routing['type'] == 'json':
            if method == 'GET':
                return self.url_open(url, allow_redirects=False)
            body = json.dumps({'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': params})
            return self.url_open(url, data=body.encode(), headers={'Content-Type': 'application/json'},
                                 allow_redirects=False)
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

    def _exercise(self, rule, caller, foreign):
        is_json = rule.endpoint.routing['type'] == 'json'
        public = rule.endpoint.routing['auth'] in ('public', 'none')
        params = self._route_params(rule)
        # Path ids name another customer's document; on the transaction routes a signed-in caller
        # pays their own invoice, so that the hostile body values reach the payment code.
        own_payment = is_json and '/transaction' in rule.rule and caller != 'anonymous'
        path_base = {name: self._baseline_path(name, caller if own_payment else foreign)
                     for name, kind in params.items() if kind == 'path'}
        query_base = self._tx_params() if is_json and '/transaction' in rule.rule else {}
        if is_json and 'overdue' in rule.rule:
            query_base['payment_reference'] = 'hostile'
        if own_payment and path_base:
            query_base['amount'] = self._path_document('invoice_id', caller).amount_residual
        if is_json and 'invoice_ids' in params and caller != 'anonymous':
            # The caller's own invoices at the right amount, so that each hostile value of another
            # parameter is the only thing wrong with the request.
            own = self.docs[caller]['invoice'] + self.docs[caller]['invoice_2']
            query_base.update(invoice_ids=own.ids, amount=sum(own.mapped('amount_residual')))
        markers = [m for owner in ('A', 'B') if owner != caller for m in self.docs[owner]['markers']]
        mode = self._methods(rule)
        count = 0
        # Nothing may change: the state before the first request is the state after each one.
        before, last_ids = self._db_state(), self._last_ids()
        for name, kind in params.items():
            values = self._hostile_values(name, kind, caller, foreign, is_json)
            if caller == 'anonymous' and not public:
                values = values[::5]  # refused before the endpoint runs: a sample is enough
            for index, value in enumerate(values):
                if mode == 'json':
                    methods = ['POST']
                elif mode == 'alternate':
                    methods = ['GET' if index % 2 == 0 else 'POST']
                elif mode == 'both':
                    # Forms (GET shows, POST acts): every value posted, a third of them in the query.
                    methods = ['GET', 'POST'] if index % 3 == 0 else ['POST']
                else:
                    methods = [mode]
                for method in methods:
                    path_values, query = dict(path_base), dict(query_base)
                    if kind == 'path':
                        path_values[name] = value
                    else:
                        query[name] = value
                    with self.subTest(route=rule.rule, caller=caller, method=method, param=name,
                                      value=repr(value)[:40]):
                        response = self._send(rule, method, path_values, query)
                        count += 1
                        self._check_response(response, markers, is_json)
                        after = self._db_state()
                        if is_json and caller != 'anonymous' and after != before:
                            self._check_accepted_payment(response, caller, last_ids)
                            self.accepted[f'{rule.rule} {name}'] += 1
                            after = self._db_state()
                        expected, before = before, after  # one change is reported once, not after each request
                        self.assertEqual(after, expected, "a malformed request changed the database")
        # The method the route does not expect: GET on json routes, the other one on one-method routes.
        other = {'json': 'GET', 'GET': 'POST', 'POST': 'GET'}.get(mode)
        if other:
            with self.subTest(route=rule.rule, caller=caller, method=other):
                response = self._send(rule, other, path_base, {})
                count += 1
                self._check_response(response, markers, is_json)
                self.assertEqual(self._db_state(), before)
        return count

    def test_every_route_resists_hostile_input(self):
        routes = self._routes()
        paths = {rule.rule for rule in routes}
        # The enumeration finds our routes and the guarded stock ones.
        for expected in ('/my/statement', '/my/invoices/pay/transaction', '/my/credit_notes/<int:credit_note_id>',
                         '/portal/<string:slug>', '/my/payments/<int:payment_id>', *GUARDED_STOCK_ROUTES):
            self.assertIn(expected, paths)
        started = time.time()
        total, self.accepted = 0, Counter()
        for caller, foreign in (('anonymous', 'A'), ('A', 'B'), ('B', 'A')):
            user = self.users[caller]
            for rule in routes:
                # A fresh session for each route: a route may log out or rotate the session.
                self.authenticate(user and user.login, user and user.login)
                total += self._exercise(rule, caller, foreign)
        self.assertGreater(total, 1000)
        _logger.info(
            "%d routes, %d hostile requests in %.1f s: %s; payments of the caller's own invoices accepted "
            "(value read as valid) and checked: %s", len(routes), total, time.time() - started,
            ', '.join(sorted(paths)), dict(self.accepted))

"""No route answers 500 to a malformed request, bad input changes nothing, and no document bytes leak.

Every http / json route this addon defines or overrides is found in the routing map (so a route
added later is covered without touching this file), plus the stock routes we guard. Each one is
called as anonymous, as a portal user of customer A and as a portal user of customer B, with
hostile values in every path and query / body parameter it accepts.
"""

import logging
import time
from collections import Counter

from odoo.tests import tagged

from .common_portal_security import (
    AMOUNT_VALUES,
    DATE_VALUES,
    GUARDED_STOCK_ROUTES,
    JSON_VALUES,
    NUL,
    NUMBER_VALUES,
    TEXT_VALUES,
    PortalSecurityCommon,
    hostile_token_values,
)

_logger = logging.getLogger(__name__)


@tagged('post_install', '-at_install')
class TestPortalHostileInput(PortalSecurityCommon):
    """Every route of ours and the stock ones we guard, with hostile values in each parameter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {'anonymous': None, 'A': cls.portal_user_1, 'B': cls.other_portal_user}

    @classmethod
    def _setup_customer_documents(cls):
        # Two invoices, a partial payment and a credit note each, no sales order nor transaction.
        return {
            'A': cls._customer_documents(cls.contact_1, [4321.87, 1357.91], 111.29, 246.13),
            'B': cls._customer_documents(cls.other_customer, [9876.53, 8642.19], 222.47, 135.79),
        }

    # ------------------------------------------------------------
    # Hostile values of each parameter
    # ------------------------------------------------------------

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
            token = self._path_document('invoice_id', foreign).access_token
            other = foreign_docs['invoice_2'].access_token
            values = [value for _label, value in hostile_token_values(token, other)] + ['[1,2]', NUL]
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
                values += [[int(i) for i in foreign_ids], [foreign_docs['invoice'].id, 'x'], [2**31]]
        return values

    # ------------------------------------------------------------
    # What must hold after each request
    # ------------------------------------------------------------

    def _db_state(self):
        self.env.flush_all()
        partners = (self.customer | self.other_customer).ids
        users = [user.id for user in self.users.values() if user]
        self.env.cr.execute(
            """
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
        """,
            [tuple(partners), tuple(users)],
        )
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
                    error.get('code') in (100, 404)
                    or (
                        name.startswith(('odoo.exceptions.', 'werkzeug.exceptions.'))
                        and 'InternalServerError' not in name
                    ),
                    f"server error: {name} {(error.get('data') or {}).get('message', '')[:500]}",
                )

    # ------------------------------------------------------------
    # Requests
    # ------------------------------------------------------------

    def _exercise(self, rule, caller, foreign):
        is_json = rule.endpoint.routing['type'] == 'json'
        public = rule.endpoint.routing['auth'] in ('public', 'none')
        params = self._route_params(rule)
        # Path ids name another customer's document; on the transaction routes a signed-in caller
        # pays their own invoice, so that the hostile body values reach the payment code.
        own_payment = is_json and '/transaction' in rule.rule and caller != 'anonymous'
        path_base = {
            name: self._baseline_path(name, caller if own_payment else foreign)
            for name, kind in params.items()
            if kind == 'path'
        }
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
                    with self.subTest(
                        route=rule.rule, caller=caller, method=method, param=name, value=repr(value)[:40]
                    ):
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
        """Every route answers each hostile value without 500, leak or change in the database."""
        routes = self._routes()
        paths = {rule.rule for rule in routes}
        # The enumeration finds our routes and the guarded stock ones.
        for expected in (
            '/my/statement',
            '/my/invoices/pay/transaction',
            '/my/credit_notes/<int:credit_note_id>',
            '/portal/<string:slug>',
            '/my/payments/<int:payment_id>',
            *GUARDED_STOCK_ROUTES,
        ):
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
            "(value read as valid) and checked: %s",
            len(routes),
            total,
            time.time() - started,
            ', '.join(sorted(paths)),
            dict(self.accepted),
        )

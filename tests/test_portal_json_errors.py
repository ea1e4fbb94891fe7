# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Issue 21: server tracebacks in the JSON errors shown to customers."""

import json

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_portal_security import PortalSecurityCommon


@tagged('post_install', '-at_install')
class TestPortalJsonErrors(PortalSecurityCommon):
    """A customer's failed JSON request carries the error's message, never the server's traceback;
    internal users keep Odoo's debug information."""

    def test_portal_user_gets_the_message_without_traceback(self):
        """A customer's failed JSON request carries the message, no traceback."""
        user = self.portal_user_1
        self.authenticate(user.login, user.login)
        answer = self._jsonrpc('/my/invoices/pay/transaction', {**self._tx_params(), 'invoice_ids': 'abc', 'amount': 1})
        self._assert_rpc_error(answer, "The selection of invoices is not valid.")
        data = answer['error']['data']
        self.assertNotIn('debug', data)
        self.assertNotIn('Traceback', json.dumps(answer))
        self.assertNotIn('.py', json.dumps(answer))
        foreign = self.docs['B']['invoice']
        answer = self._jsonrpc(
            '/my/invoices/pay/transaction',
            {**self._tx_params(), 'invoice_ids': foreign.ids, 'amount': foreign.amount_residual},
        )
        self._assert_rpc_error(answer)
        self.assertNotIn('debug', answer['error']['data'])
        self.assertNotIn('Traceback', json.dumps(answer))

    def test_unexpected_error_hides_its_text_from_customers(self):
        """An error that is not meant for the user (here a TypeError of the ORM) shows a generic
        message to a customer; an employee gets the message and the traceback."""
        params = {'model': 'res.partner', 'method': 'read', 'args': [[self.contact_1.id], 42], 'kwargs': {}}
        for user, internal in ((self.portal_user_1, False), (None, False), (self.internal_user, True)):
            self.authenticate(user and user.login, user and user.login)
            with self.subTest(user=user and user.login):
                with mute_logger('odoo.http'):
                    answer = self._jsonrpc('/web/dataset/call_kw/res.partner/read', params)
                self.assertIn('error', answer)
                data = answer['error']['data']
                if internal:
                    self.assertIn('Traceback', data['debug'])
                else:
                    self.assertNotIn('debug', data)
                    self.assertNotIn('Traceback', json.dumps(answer))
                    if user:
                        self.assertEqual(
                            data['message'], "An unexpected error occurred. Reload the page and try again."
                        )

    def test_internal_user_keeps_debug_information(self):
        """An employee's failed JSON request keeps Odoo's traceback."""
        self.authenticate(self.internal_user.login, self.internal_user.login)
        answer = self._jsonrpc('/my/invoices/pay/transaction', {**self._tx_params(), 'invoice_ids': 'abc', 'amount': 1})
        self._assert_rpc_error(answer, "The selection of invoices is not valid.")
        self.assertIn('Traceback', answer['error']['data']['debug'])

    def test_visitor_on_a_signed_in_route(self):
        """A visitor's JSON request on a signed-in route carries no debug information."""
        self.authenticate(None, None)
        answer = self._jsonrpc('/my/invoices/pay/transaction', {'invoice_ids': 'abc'})
        self.assertIn('error', answer)
        self.assertNotIn('debug', answer['error']['data'])

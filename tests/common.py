import json
import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor

from lxml import html
from psycopg2 import errors

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, get_db_name, new_test_user

from odoo.addons.base.tests.common import HttpCaseWithUserPortal


class ErrorRecords(logging.Handler):
    """Collects the records of ERROR and above logged under 'odoo' (every thread) while installed."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def __enter__(self):
        logging.getLogger('odoo').addHandler(self)
        return self

    def __exit__(self, *exc):
        logging.getLogger('odoo').removeHandler(self)


class PortalUserCommon:
    """The one way the tests make a portal user (mixed into the TransactionCase and HttpCase bases)."""

    @classmethod
    def _new_portal_user(cls, login, partner=None, company=None, **values):
        """A portal user whose password is its login, of ``company`` (default: the test company);
        the contact ``partner`` when given (its name and email), else a new one named ``login``."""
        company = company or cls.env.company
        if partner:
            values = {'partner_id': partner.id, 'name': partner.name, 'email': partner.email, **values}
        return new_test_user(
            cls.env,
            login=login,
            groups='base.group_portal',
            **{
                'password': login,
                'name': login,
                'email': f'{login}@example.com',
                'company_id': company.id,
                'company_ids': [Command.set(company.ids)],
                **values,
            },
        )

    @classmethod
    def _setup_two_customers(cls, name, login_prefix):
        """Two customer companies with portal contacts, as the bridges' tests use them: ``name`` with Ann
        (``contact``, ``portal_user``) and her colleague Bob (``colleague``, ``colleague_user``), and Other Co
        with Olga (``other_contact``, ``other_user``); the logins start with ``login_prefix``."""
        Partner = cls.env['res.partner']
        cls.customer = Partner.create({'name': name, 'is_company': True, 'email': 'acme@example.com'})
        cls.contact = Partner.create({'name': "Ann Acme", 'parent_id': cls.customer.id, 'email': 'ann@example.com'})
        cls.colleague = Partner.create({'name': "Bob Acme", 'parent_id': cls.customer.id, 'email': 'bob@example.com'})
        cls.other_customer = Partner.create({'name': "Other Co", 'is_company': True, 'email': 'other@example.com'})
        cls.other_contact = Partner.create(
            {'name': "Olga Other", 'parent_id': cls.other_customer.id, 'email': 'olga@example.com'}
        )
        cls.portal_user = cls._new_portal_user(f'{login_prefix}_ann', partner=cls.contact)
        cls.colleague_user = cls._new_portal_user(f'{login_prefix}_bob', partner=cls.colleague)
        cls.other_user = cls._new_portal_user(f'{login_prefix}_olga', partner=cls.other_contact)


class PortalHttpCase(PortalUserCommon, HttpCaseWithUserPortal):
    """Helpers to act as a real customer: sign in through the login form, read pages, count queries."""

    def _csrf_token(self, html):
        match = re.search(r'name="csrf_token"\s+value="([^"]+)"', html)
        self.assertTrue(match, "the page has no CSRF token")
        return match[1]

    def _login_form(self, login, password, url='/web/login', **extra):
        """GET the login page, POST the form; returns the response of the POST (redirects followed)."""
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        data = {'login': login, 'password': password, 'csrf_token': self._csrf_token(page.text), **extra}
        return self.url_open('/web/login', data=data)

    def _count_queries(self, url, params=None):
        """The queries of one GET of ``url`` (or, with ``params``, one JSON-RPC call) once its caches are
        warm, asserting it answers."""

        def ask():
            if params is None:
                self.assertEqual(self.url_open(url).status_code, 200, url)
            else:
                self.assertIn('result', self._jsonrpc(url, params), url)

        ask()  # warm the caches
        ask()
        start = self.cr.sql_log_count
        ask()
        return self.cr.sql_log_count - start

    def _jsonrpc(self, route, params=None, raw_params=None):
        """The JSON-RPC answer of ``route`` (never a 500); ``raw_params``: the params as JSON text, as sent."""
        if raw_params is not None:
            data = '{"jsonrpc": "2.0", "method": "call", "id": 1, "params": %s}' % raw_params
        else:
            data = json.dumps({'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': params or {}})
        response = self.url_open(route, data=data.encode(), headers={'Content-Type': 'application/json'})
        self.assertNotEqual(response.status_code, 500, response.text[:500])
        return response.json()

    def _home_rest(self, tree):
        """What the home's script asks for once ``tree`` (the home) is shown: {'counters', 'cards'} from
        the placeholder's data-url with the page's counters, or None when the home has no placeholder."""
        placeholders = tree.xpath("//div[contains(@class, 'o_cp_home_account_placeholder')]")
        if not placeholders:
            return None
        counters = tree.xpath('//*[@data-placeholder_count]/@data-placeholder_count')
        answer = self._jsonrpc(placeholders[0].get('data-url'), {'counters': counters})
        self.assertIn('result', answer, answer)
        return answer['result']

    def _home_page(self):
        """(response of /my, HTML tree) of the home as the customer's browser shows it: with the cards its
        script asks for after the page in place of the loading message, and its counters filled in."""
        response = self.url_open('/my')
        self.assertEqual(response.status_code, 200, '/my')
        tree = html.fromstring(response.content)
        rest = self._home_rest(tree)
        if rest:
            for counter in tree.xpath('//*[@data-placeholder_count]'):
                counter.text = str(rest['counters'].get(counter.get('data-placeholder_count'), ''))
            [placeholder] = tree.xpath("//div[contains(@class, 'o_cp_home_account_placeholder')]")
            placeholder[:] = [html.fragment_fromstring(rest['cards'])]
        return response, tree

    def _home_html(self):
        """The HTML of the home as the customer's browser shows it (``_home_page``)."""
        return html.tostring(self._home_page()[1], encoding='unicode')


class ConcurrentRequestsCase(BaseCase):
    """Two requests at the same moment, as real transactions on real cursors in threads. Their data is
    committed: each class makes it in setUpClass and removes it in a class cleanup."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())

    def _attempt(self, action, barrier=None):
        """``action(env)`` in a transaction of its own, as a request: 'stored', 'refused' (UserError) or
        'retried' (serialization error, which Odoo's request handling retries)."""
        try:
            # Committed when the block ends, rolled back when it raises (the commit may raise too).
            with self.registry.cursor() as cr:
                # The test runner holds the registry lock: give the cursor its registry directly.
                cr.transaction = api.Transaction(self.registry)
                env = api.Environment(cr, SUPERUSER_ID, {})
                env.user.fetch(['login'])  # a request has read something (its snapshot is taken) before it acts
                if barrier:
                    barrier.wait(timeout=30)
                action(env)
        except errors.SerializationFailure:
            return 'retried'
        except UserError:
            return 'refused'
        return 'stored'

    def _race(self, action):
        """``action`` twice at the same moment: the sorted outcomes of ``_attempt``. The race is expected: it
        logs no ERROR (the loser's serialization failure is retried by Odoo, logged at INFO)."""
        barrier = threading.Barrier(2)
        with ErrorRecords() as errors, ThreadPoolExecutor(max_workers=2) as executor:
            futures = [executor.submit(self._attempt, action, barrier) for _i in range(2)]
            outcomes = sorted(future.result(timeout=120) for future in futures)
        self.assertFalse([record.getMessage() for record in errors.records], "an expected race logs no ERROR")
        return outcomes

    def _count(self, model, domain):
        with self.registry.cursor() as cr:
            return api.Environment(cr, SUPERUSER_ID, {})[model].search_count(domain)

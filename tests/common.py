import re

from odoo.tests import HttpCase, new_test_user


class PortalHttpCase(HttpCase):
    """Helpers to act as a real customer: sign in through the login form, read pages."""

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

    @classmethod
    def _new_portal_user(cls, login, company, name=None):
        return new_test_user(
            cls.env,
            login=login,
            password=login,
            groups='base.group_portal',
            name=name or login,
            company_id=company.id,
            company_ids=[company.id],
            email=f'{login}@example.com',
        )

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import new_test_user, tagged

from .common import ConcurrentRequestsCase

RECIPIENT = ('Rex Recipient', 'rex@forward-race.example')


@tagged('post_install', '-at_install')
class TestPortalForwardConcurrency(ConcurrentRequestsCase):
    """Two forwards of one customer user at the same moment, on real cursors in threads: the daily limit of
    recipients holds (P9). The second waits for the first, then fails with a serialization error (which
    Odoo's request handling retries); the retry counts the first one's recipient and is refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.company
            if not company.chart_template:
                env['account.chart.template'].try_loading('generic_coa', company, install_demo=False)
            cls.company_id = company.id
            cls.settings_were = company.read(['portal_allow_forward', 'portal_forward_daily_limit'])[0]
            del cls.settings_were['id']
            company.write({'portal_allow_forward': True, 'portal_forward_daily_limit': 1})
            customer = env['res.partner'].create(
                {'name': 'Concurrent Forwarder Co', 'is_company': True, 'email': 'ap@forward-race.example'}
            )
            user = new_test_user(env, login='cp_forward_racer', groups='base.group_portal', name='Fred Forwarder')
            user.partner_id.write({'parent_id': customer.id, 'email': 'fred@forward-race.example'})
            line = {'name': 'Line', 'quantity': 1, 'price_unit': 100.0, 'tax_ids': []}
            invoice = env['account.move'].create(
                {'move_type': 'out_invoice', 'partner_id': customer.id, 'invoice_line_ids': [Command.create(line)]}
            )
            invoice.action_post()
            cls.customer_id, cls.user_id, cls.invoice_id = customer.id, user.id, invoice.id
        cls.addClassCleanup(cls._cleanup_data)

    @classmethod
    def _cleanup_data(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env['customer_portal.share.link'].search([('sender_user_id', '=', cls.user_id)]).unlink()
            env['mail.mail'].search([('email_to', 'ilike', RECIPIENT[1])]).unlink()
            invoice = env['account.move'].browse(cls.invoice_id)
            invoice.button_draft()
            invoice.with_context(force_delete=True).unlink()
            user = env['res.users'].browse(cls.user_id)
            partner = user.partner_id
            user.unlink()
            customer = env['res.partner'].browse(cls.customer_id)
            (customer.with_context(active_test=False).child_ids | partner | customer).unlink()
            env['res.company'].browse(cls.company_id).write(cls.settings_were)

    def _forward(self, env):
        env['account.move'].browse(self.invoice_id)._portal_forward(
            env['res.users'].browse(self.user_id), [RECIPIENT], ''
        )

    def test_last_forward_of_the_day_race(self):
        """Two forwards at once with one recipient left today: one sent, the other retried and then
        refused; one recipient's link in all."""
        self.assertEqual(self._race(self._forward), ['retried', 'stored'])
        self.assertEqual(self._attempt(self._forward), 'refused')
        links = [('sender_user_id', '=', self.user_id), ('origin', '=', 'forward')]
        self.assertEqual(self._count('customer_portal.share.link', links), 1)
        self.assertEqual(self._count('mail.mail', [('email_to', 'ilike', RECIPIENT[1])]), 1)

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""The benchmark's data generator, run in its own process by `bench.py generate|configure <db> <size>`."""

# A command-line tool, not addon code: it prints, and its data generator commits batch by batch.
# pylint: disable=print-used,invalid-commit
import datetime
import random
import time

from bench_server import odoo_cmd
from bench_settings import CROWD_INVOICES, MAIN_LOGIN, N_CROWD, N_TOTP_USERS, PASSWORD, YEARS, totp_secret
from portalctl import Postgres, check_odoo


def odoo_env(odoo_package, postgres, dbname):
    import odoo  # noqa: PLC0415

    args = odoo_cmd(odoo_package, postgres, '-d', dbname)[2:]
    odoo.tools.config.parse_config(args + ['--log-level', 'warn', '--max-cron-threads', '0'])
    registry = odoo.modules.registry.Registry(dbname)
    return odoo, registry


def generate(dbname, size):
    """One customer company with `size` posted invoices over three years, credit notes, payments
    (most invoices paid, some partially, some credit notes applied), quotations and sales orders;
    N_TOTP_USERS portal users of it with an authenticator app; N_CROWD other customer companies
    with a portal user and CROWD_INVOICES invoices each."""
    odoo, registry = odoo_env(check_odoo(), Postgres(), dbname)
    from odoo import Command, fields  # noqa: PLC0415

    rnd = random.Random(size)
    started = time.time()
    with registry.cursor() as cr:
        env = odoo.api.Environment(
            cr,
            odoo.SUPERUSER_ID,
            {'tracking_disable': True, 'mail_notrack': True, 'mail_create_nolog': True, 'no_reset_password': True},
        )
        portal = env.ref('base.group_portal')
        product = env['product.product'].create(
            {'name': 'Bench Service', 'type': 'service', 'list_price': 100, 'taxes_id': [Command.clear()]}
        )
        customer = env['res.partner'].create(
            {
                'name': 'Bench Customer Inc',
                'is_company': True,
                'email': 'billing@bench-customer.example',
                'street': '1 Bench Street',
                'city': 'Springfield',
            }
        )
        env['res.partner'].create(
            [
                {'name': 'Bench Billing', 'parent_id': customer.id, 'type': 'invoice', 'street': '2 Invoice Road'},
                {'name': 'Bench Warehouse', 'parent_id': customer.id, 'type': 'delivery', 'street': '3 Dock Lane'},
            ]
            + [
                {
                    'name': f'Bench Contact {i}',
                    'parent_id': customer.id,
                    'type': 'contact',
                    'email': f'contact{i}@bench-customer.example',
                }
                for i in range(4)
            ]
        )
        contacts = env['res.partner'].create(
            [{'name': 'Bench Buyer', 'parent_id': customer.id, 'email': MAIN_LOGIN}]
            + [
                {'name': f'Bench Totp {i:02d}', 'parent_id': customer.id, 'email': f'bench.totp{i:02d}@example.com'}
                for i in range(N_TOTP_USERS)
            ]
        )
        crowd = env['res.partner'].create(
            [
                {'name': f'Crowd Customer {i:02d}', 'is_company': True, 'email': f'crowd{i:02d}@example.com'}
                for i in range(N_CROWD)
            ]
        )
        crowd_contacts = env['res.partner'].create(
            [
                {'name': f'Crowd Buyer {i:02d}', 'parent_id': c.id, 'email': f'bench.c{i:02d}@example.com'}
                for i, c in enumerate(crowd)
            ]
        )
        users = env['res.users'].create(
            [
                {'name': p.name, 'login': p.email, 'partner_id': p.id, 'groups_id': [Command.set([portal.id])]}
                for p in contacts | crowd_contacts
            ]
        )
        # One password hash for all (hashing is deliberately slow), written as res.users writes it.
        password_hash = env['res.users']._crypt_context().hash(PASSWORD)
        cr.execute("UPDATE res_users SET password = %s WHERE id IN %s", (password_hash, tuple(users.ids)))
        totp_users = users.filtered(lambda u: u.login.startswith('bench.totp'))
        for user in totp_users:
            user.sudo().totp_secret = totp_secret(user.login)
        env.ref('payment.payment_provider_demo').write({'state': 'test', 'is_published': True})
        cr.commit()

        today = fields.Date.today()
        first = today - datetime.timedelta(days=365 * YEARS)

        def make_moves(partners, count, move_type='out_invoice'):
            """`count` posted moves of each partner, dated over the last YEARS years, oldest first."""
            rows = sorted(
                (first + datetime.timedelta(days=rnd.randrange(365 * YEARS)), partner.id)
                for partner in partners
                for _ in range(count)
            )
            moves = env['account.move']
            for start in range(0, len(rows), 500):
                batch = env['account.move'].create(
                    [
                        {
                            'move_type': move_type,
                            'partner_id': partner_id,
                            'invoice_date': d,
                            'date': d,
                            'invoice_date_due': d + datetime.timedelta(days=30),
                            'invoice_line_ids': [
                                Command.create(
                                    {
                                        'product_id': product.id,
                                        'quantity': rnd.randint(1, 5),
                                        'price_unit': rnd.randint(20, 800)
                                        if move_type == 'out_invoice'
                                        else rnd.randint(5, 40),
                                        'tax_ids': [Command.clear()],
                                    }
                                )
                            ],
                        }
                        for d, partner_id in rows[start : start + 500]
                    ]
                )
                batch.action_post()
                cr.commit()
                moves |= batch
            return moves

        def pay(invoices, amount, date):
            env['account.payment.register'].with_context(active_model='account.move', active_ids=invoices.ids).create(
                {
                    'amount': amount,
                    'payment_date': date,
                    'group_payment': True,
                    'payment_difference_handling': 'open',
                }
            )._create_payments()

        invoices = make_moves(customer, size)
        print(f"  {size} invoices posted in {time.time() - started:.0f}s", flush=True)
        refunds = make_moves(customer, max(1, size // 10), 'out_refund')
        # Roughly: 65 % of the invoices paid by payments of up to 25 invoices, 2.5 % partially paid,
        # half of the credit notes applied to an invoice, the rest outstanding (more of them recent).
        order = list(invoices)
        n_paid = int(size * 0.65)
        paid, rest = order[:n_paid], order[n_paid:]
        for start in range(0, len(paid), 25):
            group = env['account.move'].browse([m.id for m in paid[start : start + 25]])
            pay(
                group,
                sum(group.mapped('amount_residual')),
                max(group.mapped('invoice_date')) + datetime.timedelta(days=10),
            )
            if start % 500 == 0:
                cr.commit()
        partial = rest[: max(1, size // 40)]
        for move in partial:
            pay(move, round(move.amount_residual * 0.4, 2), move.invoice_date + datetime.timedelta(days=5))
        cr.commit()
        unpaid = rest[len(partial) :]
        for refund, move in zip(refunds[: len(refunds) // 2], unpaid[::7], strict=False):
            lines = (refund | move).line_ids.filtered(lambda line: line.account_type == 'asset_receivable')
            lines.reconcile()
        cr.commit()
        print(f"  payments and credit notes in {time.time() - started:.0f}s", flush=True)
        crowd_moves = make_moves(crowd, CROWD_INVOICES)
        # Half of them paid, one payment per company: the wizard groups a multi-partner selection by partner.
        to_pay = crowd_moves.filtered(lambda m: m.id % 2)
        env['account.payment.register'].with_context(active_model='account.move', active_ids=to_pay.ids).create(
            {
                'payment_date': today,
                'group_payment': True,
            }
        )._create_payments()
        cr.commit()
        n_orders = min(max(3, size // 20), 300)
        orders = env['sale.order'].create(
            [
                {
                    'partner_id': customer.id,
                    'order_line': [
                        Command.create(
                            {
                                'product_id': product.id,
                                'product_uom_qty': rnd.randint(1, 9),
                                'price_unit': rnd.randint(50, 900),
                                'tax_id': [Command.clear()],
                            }
                        )
                    ],
                }
                for _ in range(2 * n_orders)
            ]
        )
        orders[:n_orders].action_confirm()
        cr.commit()
        print(f"  generated in {time.time() - started:.0f}s", flush=True)


def configure(dbname, size):
    """Turn on the features measured in the "ours" database."""
    odoo, registry = odoo_env(check_odoo(), Postgres(), dbname)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env['res.company'].search([]).write(
            {
                'portal_bulk_payment': True,
                'portal_display_credit_notes': True,
                'portal_enforce_mfa': False,
            }
        )

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from . import controllers
from . import models
from . import report


def _post_init_hook(env):
    """Give every existing company a portal name (P1); new ones get it at creation."""
    env['res.company'].search([('portal_slug', '=', False)])._assign_portal_slug()

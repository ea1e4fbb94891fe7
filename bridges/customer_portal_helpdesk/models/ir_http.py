# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models
from odoo.http import request

# helpdesk_mgmt's customer routes outside /my (close, new ticket form, its submission).
TICKET_PATH_PREFIXES = ('/ticket/', '/new/ticket', '/submitted/ticket')


class IrHttp(models.AbstractModel):
    _inherit = 'ir.http'

    @classmethod
    def _is_customer_request(cls):
        # EXTENDS customer_portal: helpdesk_mgmt's ticket routes carry the customer pages' security headers
        # (anti-framing, referrer, no-sniff), their error pages included.
        return super()._is_customer_request() or request.httprequest.path.startswith(TICKET_PATH_PREFIXES)

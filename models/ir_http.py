from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = 'ir.http'

    @classmethod
    def _serve_fallback(cls):
        # EXTENDS base: a path that matches no route is looked up as an attachment URL; with a NUL
        # byte in it (/my/invoices/%00) PostgreSQL refuses the query and the 404 became a 500.
        if '\x00' in request.httprequest.path:
            return None
        return super()._serve_fallback()

import uuid

from odoo import models
from odoo.tools import SQL


class PortalMixin(models.AbstractModel):
    _inherit = 'portal.mixin'

    def _portal_ensure_token(self):
        # EXTENDS portal: stock writes the token the first time a page shows the document's link, so two
        # requests showing the same new document at once (a list in two tabs, a list and the invoice-sending
        # job) race on its row. The loser's serialization failure is expected and Odoo's request loop retries
        # it (logged at INFO), but the ORM's write logs it at ERROR first. One UPDATE that does not log its
        # failure sets the token instead; it also leaves write_date alone, since showing a link changes
        # nothing the business cares about. super() then finds the token and returns it.
        if not self.access_token:
            self.flush_recordset(['access_token'])
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET access_token = %s WHERE id = %s AND access_token IS NULL",
                    SQL.identifier(self._table),
                    str(uuid.uuid4()),
                    self.id,
                ),
                log_exceptions=False,
            )
            self.invalidate_recordset(['access_token'])
        return super()._portal_ensure_token()

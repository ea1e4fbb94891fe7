from odoo import api, models


class AccountMoveSend(models.AbstractModel):
    _inherit = 'account.move.send'

    @api.model
    def _generate_and_send_invoices(
        self, moves, from_cron=False, allow_raising=True, allow_fallback_pdf=False, **custom_settings
    ):
        # EXTENDS account: an invoice sent again after a change starts a new version, its Viewed mark
        # starting over (A6). Before super(), which writes the invoice (is_move_sent) and so its write_date.
        moves._portal_mark_sent()
        return super()._generate_and_send_invoices(
            moves,
            from_cron=from_cron,
            allow_raising=allow_raising,
            allow_fallback_pdf=allow_fallback_pdf,
            **custom_settings,
        )

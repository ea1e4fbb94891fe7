# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class ContractContract(models.Model):
    _inherit = 'contract.contract'

    portal_state = fields.Selection(
        [('upcoming', "Upcoming"), ('active', "Active"), ('ended', "Ended"), ('cancelled', "Cancelled")],
        string="Subscription State",
        compute='_compute_portal_state',
        help="What the customer reads on the portal: Upcoming before the first line starts, Active while a "
        "line is still to be invoiced, Ended after the contract's end date or once nothing is left to invoice, "
        "Cancelled when every line is cancelled.",
    )

    @api.depends(
        'date_end',
        'recurring_next_date',
        'contract_line_ids.display_type',
        'contract_line_ids.is_canceled',
        'contract_line_ids.date_start',
    )
    def _compute_portal_state(self):
        today = fields.Date.context_today(self)
        for contract in self:
            lines = contract.contract_line_ids.filtered(lambda line: not line.display_type)
            live = lines.filtered(lambda line: not line.is_canceled)
            starts = [start for start in live.mapped('date_start') if start]
            if lines and not live:
                contract.portal_state = 'cancelled'
            elif (contract.date_end and contract.date_end < today) or (live and not contract.recurring_next_date):
                contract.portal_state = 'ended'
            elif not live or (starts and min(starts) > today):
                contract.portal_state = 'upcoming'
            else:
                contract.portal_state = 'active'

    @api.model
    def _get_portal_subscription_domain(self, partner):
        """The subscriptions a portal contact sees (P15): the sale contracts of its customer company, made
        for the company itself or any of its contacts, as every list of the portal shows the company's."""
        return [('contract_type', '=', 'sale'), ('commercial_partner_id', '=', partner.commercial_partner_id.id)]

    def _get_portal_invoices(self):
        """The posted customer invoices and credit notes generated from each contract of ``self`` (a line of
        theirs comes from one of its lines), of the contract's customer, newest first, by contract id.
        Sudo records: the caller has checked its access to the contracts. A fixed number of queries,
        whatever the number of contracts."""
        moves_by_contract = {contract.id: self.env['account.move'].sudo() for contract in self}
        lines = (
            self.env['account.move.line']
            .sudo()
            .search_fetch(
                [
                    ('contract_line_id.contract_id', 'in', self.ids),
                    ('parent_state', '=', 'posted'),
                    ('move_id.move_type', 'in', ('out_invoice', 'out_refund')),
                ],
                ['move_id', 'contract_line_id'],
            )
        )
        for line in lines:
            contract = line.contract_line_id.contract_id
            if line.move_id.commercial_partner_id == contract.commercial_partner_id:
                moves_by_contract[contract.id] |= line.move_id
        return {
            contract_id: moves.sorted(lambda move: (move.invoice_date or move.date, move.id), reverse=True)
            for contract_id, moves in moves_by_contract.items()
        }

from markupsafe import escape

from odoo import SUPERUSER_ID, api, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount

from odoo.addons.customer_portal.models.account_move import PORTAL_PAYMENT_OPERATIONS
from odoo.addons.customer_portal.models.payment_method import BANK_DEBIT_METHOD_CODES

# Providers whose payments the customer makes outside of Odoo (bank transfer): nothing tells Odoo
# that such a payment will never come, so only the back office can cancel it.
MANUAL_PROVIDER_CODES = ('custom', 'none')


class PaymentTransaction(models.Model):
    _inherit = 'payment.transaction'

    @api.model_create_multi
    def create(self, vals_list):
        # EXTENDS payment: every route that creates a payment of invoices ends here, so the
        # duplicate-payment guard (P4) and the bank-payment permission (C2) hold for all of them.
        for vals in vals_list:
            if vals.get('operation') not in PORTAL_PAYMENT_OPERATIONS or vals.get('source_transaction_id'):
                continue
            self._check_portal_bank_payment_allowed(vals)
            if vals.get('invoice_ids'):
                invoice_ids = self._fields['invoice_ids'].convert_to_cache(vals['invoice_ids'], self)
                self.env['account.move'].sudo().browse(invoice_ids)._lock_for_portal_payment()
        return super().create(vals_list)

    def _log_message_on_linked_documents(self, message):
        # EXTENDS account_payment: the invoices of a payment of several invoices (P10) get the message
        # in one batch of notes, as their payment is created in one go. why: stock posts it on each
        # invoice (about 6 queries an invoice), so starting a payment of 200 invoices took 1 s against
        # 28 ms for one (issue 16). The notes are the same internal notes, without notification.
        self.ensure_one()
        invoices = self._get_invoices_to_notify()
        if len(invoices) <= 1:
            return super()._log_message_on_linked_documents(message)
        super(PaymentTransaction, self.with_context(portal_invoices_logged=True))._log_message_on_linked_documents(
            message
        )
        author = self.env.user.partner_id if self.env.uid == SUPERUSER_ID else self.partner_id  # as stock
        invoices._message_log_batch(bodies=dict.fromkeys(invoices.ids, escape(message)), author_id=author.id)
        return None

    def _get_invoices_to_notify(self):
        # EXTENDS account_payment: none while _log_message_on_linked_documents logs them in one batch.
        if self.env.context.get('portal_invoices_logged'):
            return self.env['account.move']
        return super()._get_invoices_to_notify()

    @api.model
    def _check_portal_bank_payment_allowed(self, vals):
        """Bank debits (ACH, SEPA...) only for customers allowed to pay via bank account."""
        if not vals.get('payment_method_id') or not vals.get('partner_id'):
            return
        payment_method = self.env['payment.method'].sudo().browse(vals['payment_method_id'])
        partner = self.env['res.partner'].sudo().browse(vals['partner_id'])
        if (
            payment_method.primary_payment_method_id.code or payment_method.code
        ) in BANK_DEBIT_METHOD_CODES and not partner.commercial_partner_id.portal_allow_bank_payment:
            raise UserError(self.env._("Paying via bank account is not enabled for your account."))

    def action_portal_cancel_manual(self):
        """Cancel pending payments of manual providers (a bank transfer the customer never sent),
        which otherwise block online payment of their invoices for good (P4). The reason, naming
        who cancelled, is logged on the invoices and kept on the transaction."""
        if not self.env.user.has_group('account.group_account_invoice'):
            raise AccessError(self.env._("Only billing users can cancel a pending payment."))
        self.check_access('write')
        refused = self.filtered(lambda tx: tx.state != 'pending' or tx.provider_code not in MANUAL_PROVIDER_CODES)
        if refused:
            raise UserError(
                self.env._(
                    "Only pending payments by bank transfer (manual payment providers) can be cancelled here, "
                    "not %(references)s.",
                    references=", ".join(refused.mapped('reference')),
                )
            )
        self._set_canceled(
            state_message=self.env._(
                "Cancelled by %(user)s: the payment never arrived. The customer can pay online again.",
                user=self.env.user.name,
            )
        )
        # why not stock's message of a cancelled transaction: payment_custom logs none for its
        # providers, and stock's names the customer as its author.
        for tx in self:
            for invoice in tx.invoice_ids:
                invoice.message_post(
                    body=self.env._(
                        "%(user)s cancelled the pending payment %(reference)s of %(amount)s (%(provider)s): it never "
                        "arrived. The customer can pay this invoice online again.",
                        user=self.env.user.name,
                        reference=tx.reference,
                        provider=tx.provider_id.name,
                        amount=format_amount(self.env, tx.amount, tx.currency_id),
                    ),
                    subtype_xmlid='mail.mt_note',
                )
        return True

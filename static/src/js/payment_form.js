/** @odoo-module **/

import PaymentForm from "@payment/js/payment_form";

PaymentForm.include({
    /**
     * Send the chosen invoices of a bulk payment, and the amount typed by the customer on an
     * invoice that allows partial payment. Both are checked again on the server.
     *
     * @override method from payment.payment_form
     * @private
     * @return {object} The transaction route params.
     */
    _prepareTransactionRouteParams() {
        const params = this._super(...arguments);
        if (this.paymentContext.portalInvoiceIds) {
            params.invoice_ids = this.paymentContext.portalInvoiceIds;
        }
        const partialAmountInput = this.el.closest("#pay_with")?.querySelector("#o_cp_partial_amount");
        if (partialAmountInput && partialAmountInput.value !== "") {
            params.amount = partialAmountInput.value;
        }
        return params;
    },
});

/** @odoo-module **/

import PaymentForm from "@payment/js/payment_form";

/**
 * Read an amount typed as the customer writes amounts ("1,380.50" in English, "1.380,50" in
 * German...), with the separators of their language given by the page. NaN when it is not one.
 *
 * @param {string} text
 * @param {DOMStringMap} format data-decimal-point, data-thousands-sep
 * @return {number}
 */
export function parsePortalAmount(text, format) {
    let value = (text || "").trim().replace(/\s/g, "");
    if (format.thousandsSep && format.thousandsSep !== format.decimalPoint) {
        value = value.split(format.thousandsSep).join("");
    }
    if (format.decimalPoint && format.decimalPoint !== ".") {
        value = value.replace(format.decimalPoint, ".");
    }
    return /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
}

/**
 * Write an amount as the page does: decimal places of the currency, separators of the
 * customer's language, currency symbol on its side.
 *
 * @param {number} amount
 * @param {DOMStringMap} format data-digits, data-decimal-point, data-thousands-sep, data-symbol,
 *     data-position
 * @return {string}
 */
export function formatPortalAmount(amount, format) {
    const digits = parseInt(format.digits || "2", 10);
    const [units, decimals] = amount.toFixed(digits).split(".");
    const grouped = units.replace(/\B(?=(\d{3})+(?!\d))/g, format.thousandsSep || "");
    const number = decimals ? `${grouped}${format.decimalPoint || "."}${decimals}` : grouped;
    if (!format.symbol) {
        return number;
    }
    return format.position === "after" ? `${number}\u00a0${format.symbol}` : `${format.symbol}\u00a0${number}`;
}

PaymentForm.include({
    /**
     * Keep the amount of the payment summary equal to the amount typed by the customer on an
     * invoice that allows partial payment (C2).
     *
     * @override method from payment.payment_form
     */
    async start() {
        const result = await this._super(...arguments);
        const input = this._getPortalPartialAmountInput();
        if (input) {
            this._onPortalPartialAmountInput = this._updatePortalPartialAmount.bind(this);
            this._onPortalPartialAmountChange = this._rewritePortalPartialAmount.bind(this);
            input.addEventListener("input", this._onPortalPartialAmountInput);
            input.addEventListener("change", this._onPortalPartialAmountChange);
            this._updatePortalPartialAmount();
        }
        return result;
    },

    /**
     * @override method from payment.payment_form
     */
    destroy() {
        const input = this._getPortalPartialAmountInput();
        if (input && this._onPortalPartialAmountInput) {
            input.removeEventListener("input", this._onPortalPartialAmountInput);
            input.removeEventListener("change", this._onPortalPartialAmountChange);
        }
        return this._super(...arguments);
    },

    _getPortalPartialAmountInput() {
        return this.el.closest("#pay_with")?.querySelector("#o_cp_partial_amount") || null;
    },

    /**
     * The amount typed by the customer, or NaN when it is not an amount they may pay.
     *
     * @return {number}
     */
    _getPortalPartialAmount() {
        const input = this._getPortalPartialAmountInput();
        const format = input.dataset;
        const amount = parsePortalAmount(input.value, format);
        const max = Number(format.max);
        const epsilon = Math.pow(10, -parseInt(format.digits || "2", 10)) / 2;
        if (!(amount > 0) || (Number.isFinite(max) && amount - max >= epsilon)) {
            return NaN;
        }
        return amount;
    },

    /**
     * Show the typed amount in the payment summary, or say that it cannot be paid.
     */
    _updatePortalPartialAmount() {
        const input = this._getPortalPartialAmountInput();
        const amount = this._getPortalPartialAmount();
        const valid = !Number.isNaN(amount);
        input.classList.toggle("is-invalid", !valid && input.value.trim() !== "");
        const container = input.closest(".o_cp_partial_payment");
        container?.querySelector(".o_cp_partial_amount_error")
            ?.classList.toggle("d-block", !valid && input.value.trim() !== "");
        const summary = this.el.closest("#pay_with")?.querySelector("#o_payment_summary_amount_full");
        if (summary && valid) {
            summary.textContent = formatPortalAmount(amount, input.dataset);
        }
        if (valid) {
            this.paymentContext.amount = amount;
        }
    },

    /**
     * Once typed, write the amount as the page writes amounts ("1,000.5" becomes "1,000.50").
     */
    _rewritePortalPartialAmount() {
        const input = this._getPortalPartialAmountInput();
        const amount = this._getPortalPartialAmount();
        if (!Number.isNaN(amount)) {
            input.value = formatPortalAmount(amount, { ...input.dataset, symbol: "" });
        }
    },

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
        const partialAmountInput = this._getPortalPartialAmountInput();
        if (partialAmountInput && partialAmountInput.value.trim() !== "") {
            const amount = parsePortalAmount(partialAmountInput.value, partialAmountInput.dataset);
            // A text the page cannot read goes as it is: the server refuses it with its message.
            params.amount = Number.isNaN(amount) ? partialAmountInput.value : amount;
        }
        return params;
    },
});

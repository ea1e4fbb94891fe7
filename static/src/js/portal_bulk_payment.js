/** @odoo-module **/

import publicWidget from "@web/legacy/js/public/public_widget";

/**
 * Invoice list (P10, C3): the checked invoices become the ``invoice_ids`` of "Pay selected".
 * The server decides what may be paid; this only builds the link.
 */
publicWidget.registry.CustomerPortalBulkPayment = publicWidget.Widget.extend({
    selector: ".o_portal_wrap:has(#o_cp_pay_selected)",
    events: {
        "change .o_cp_bulk_select": "_onSelectionChange",
        "change .o_cp_bulk_select_all": "_onSelectAllChange",
    },

    start() {
        this._updatePayButton();
        return this._super(...arguments);
    },

    _getCheckboxes() {
        return [...this.el.querySelectorAll(".o_cp_bulk_select")];
    },

    _onSelectionChange() {
        this._updatePayButton();
    },

    _onSelectAllChange(ev) {
        for (const checkbox of this._getCheckboxes()) {
            checkbox.checked = ev.currentTarget.checked;
        }
        this._updatePayButton();
    },

    _updatePayButton() {
        const button = this.el.querySelector("#o_cp_pay_selected");
        const ids = this._getCheckboxes().filter((cb) => cb.checked).map((cb) => cb.value);
        button.classList.toggle("disabled", !ids.length);
        button.setAttribute("aria-disabled", ids.length ? "false" : "true");
        button.href = ids.length
            ? `/my/invoices/pay?invoice_ids=${encodeURIComponent(ids.join(","))}`
            : "/my/invoices/pay";
    },
});

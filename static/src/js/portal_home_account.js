/** @odoo-module **/

import publicWidget from "@web/legacy/js/public/public_widget";

/**
 * Portal home (C1): the cards of the customer's balance, last payment and details come after the page,
 * as stock's counters do, so that the home opens at once whatever the customer's history.
 */
publicWidget.registry.CustomerPortalHomeAccount = publicWidget.Widget.extend({
    selector: ".o_cp_home_account_placeholder",

    start() {
        // Not awaited: the page's other widgets need not wait for the cards.
        this._loadCards();
        return this._super(...arguments);
    },

    async _loadCards() {
        let html = null;
        try {
            // A session that ended answers with a redirect to the login page: no cards to show.
            const response = await fetch(this.el.dataset.url, { redirect: "manual" });
            if (response.ok) {
                html = await response.text();
            }
        } catch {
            // The network failed: the error message below says so.
        }
        if (html === null) {
            this.el.querySelector(".o_cp_home_account_loading").classList.add("d-none");
            this.el.querySelector(".o_cp_home_account_error").classList.remove("d-none");
        } else {
            // The server's own rendering of a QWeb template, escaped by it.
            this.el.innerHTML = html;
        }
        this.el.setAttribute("aria-busy", "false");
    },
});

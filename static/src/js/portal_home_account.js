/** @odoo-module **/

import { PortalHomeCounters } from "@portal/js/portal";
import { rpc } from "@web/core/network/rpc";

PortalHomeCounters.include({
    /**
     * EXTENDS portal: a customer's home (C1) asks for the counters of its cards and for the cards of the
     * customer's balance, last payment and details in one request, the placeholder's data-url. portal.js
     * would send up to three requests for the counters alone, and Odoo's workers answer one request per
     * connection: on a busy day each of them waits for a worker. Without the placeholder (an internal
     * user's home), portal's own requests. Counters are shown as portal shows them: a card whose counter
     * is 0 stays hidden unless _getCountersAlwaysDisplayed names it.
     *
     * @override
     */
    async _updateCounters() {
        const placeholder = this.el.querySelector(".o_cp_home_account_placeholder");
        if (!placeholder) {
            return this._super(...arguments);
        }
        const counterEls = this.el.querySelectorAll("[data-placeholder_count]");
        let result = null;
        try {
            result = await rpc(placeholder.dataset.url, {
                counters: [...counterEls].map((el) => el.dataset.placeholder_count),
            });
        } catch {
            // The network failed or the session ended: the error message below says so.
        }
        if (result) {
            const alwaysDisplayed = this._getCountersAlwaysDisplayed();
            for (const el of counterEls) {
                const count = result.counters[el.dataset.placeholder_count];
                if (count === undefined) {
                    continue;
                }
                el.textContent = count;
                if (count !== 0 || alwaysDisplayed.includes(el.dataset.placeholder_count)) {
                    el.closest(".o_portal_index_card")?.classList.remove("d-none");
                }
            }
            // The server's own rendering of a QWeb template, escaped by it.
            placeholder.innerHTML = result.cards;
        } else {
            placeholder.querySelector(".o_cp_home_account_loading").classList.add("d-none");
            placeholder.querySelector(".o_cp_home_account_error").classList.remove("d-none");
        }
        placeholder.setAttribute("aria-busy", "false");
        this.el.querySelector(".o_portal_doc_spinner")?.remove();
    },
});

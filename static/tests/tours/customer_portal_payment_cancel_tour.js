/** @odoo-module **/

import { registry } from "@web/core/registry";

// Issue 8, item 19: on the form of an invoice with a bank transfer the customer never sent, a
// billing user reads the payment in progress and cancels it; the invoice says who did.
registry.category("web_tour.tours").add("customer_portal_payment_cancel_tour", {
    steps: () => [
        {
            content: "The invoice form lists the payment in progress, by bank transfer",
            trigger: "div[name='portal_transactions_in_progress'] .o_data_row:contains('Wire Transfer'):contains('Pending')",
        },
        {
            content: "Cancel it",
            trigger: "div[name='portal_transactions_in_progress'] .o_data_row button[name='action_portal_cancel_manual']",
            run: "click",
        },
        {
            content: "Confirm: the money will not arrive",
            trigger: ".modal:contains('the customer can then pay the invoice online again') .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The invoice says who cancelled it",
            trigger: ".o-mail-Message:contains('cancelled the pending payment')",
        },
        {
            content: "and no payment is in progress any more",
            trigger: ".o_form_view .o_field_widget[name='allow_partial_payment']",
            run() {
                if (document.querySelector("div[name='portal_transactions_in_progress'] .o_data_row")) {
                    throw new Error("the cancelled payment is still listed as in progress");
                }
            },
        },
    ],
});

/** @odoo-module **/

import { registry } from "@web/core/registry";

// Issue 10, items 4 and 5: the customer reads the sales orders left to invoice, then all of them,
// and declines a quotation with a reason.
registry.category("web_tour.tours").add("customer_portal_sales_tour", {
    steps: () => [
        {
            content: "The All tab lists the order invoiced in full, with its invoice",
            trigger: ".o_cp_order_tab_all.active",
        },
        {
            trigger: "tr.o_cp_order_row:contains('Fully Invoiced') .o_cp_order_invoice_link",
        },
        {
            content: "Open the Not Invoiced tab",
            trigger: "a.o_cp_order_tab_to_invoice",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "It lists the order in euros left to invoice",
            trigger: ".o_cp_order_tab_to_invoice.active",
        },
        {
            trigger: "tr.o_cp_order_row:contains('1,500.00'):contains('To Invoice')",
            run() {
                if ([...document.querySelectorAll("tr.o_cp_order_row")].some((row) => row.textContent.includes("Fully Invoiced"))) {
                    throw new Error("an order invoiced in full is listed as not invoiced");
                }
            },
        },
        {
            content: "Back to All",
            trigger: "a.o_cp_order_tab_all",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: ".o_cp_order_tab_all.active",
        },
        {
            trigger: "tr.o_cp_order_row:contains('Fully Invoiced')",
        },
        {
            content: "The home links the estimates awaiting an answer",
            trigger: ".breadcrumb a[href='/my/home']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            trigger: "a.o_cp_estimates_awaiting:contains('1 estimate awaiting your answer')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the quotation awaiting an answer",
            trigger: "tr.o_cp_estimate_row[data-status='awaiting'] td a",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Reject it",
            trigger: "a[data-bs-target='#modaldecline']",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal.show textarea[name='decline_message']",
            run: "edit Your prices are too high for us this year",
        },
        {
            trigger: ".modal.show #decline button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The quotation is declined (the test reads the reason on its chatter)",
            trigger: ".alert-danger:contains('This quotation has been cancelled')",
        },
    ],
});

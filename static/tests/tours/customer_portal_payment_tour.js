/** @odoo-module **/

import { registry } from "@web/core/registry";

// Pick two invoices, pay them at once with the demo provider, then find the payment and its
// receipt under Payments Made (P10, C3, C4).
registry.category("web_tour.tours").add("customer_portal_payment_tour", {
    url: "/my/invoices",
    steps: () => [
        {
            content: "Select the first invoice",
            trigger: "input.o_cp_bulk_select:first",
            run: "click",
        },
        {
            content: "Select the second invoice",
            trigger: "input.o_cp_bulk_select:last",
            run: "click",
        },
        {
            content: "Pay the selected invoices",
            trigger: "a#o_cp_pay_selected:not(.disabled)",
            run: "click",
        },
        {
            content: "Both invoices and their total are listed",
            trigger: ".o_cp_bulk_payment_total:contains(350.50)",
        },
        {
            content: "Choose the demo provider",
            trigger: 'input[name="o_payment_radio"][data-payment-method-code="demo"]',
            run: "click",
        },
        {
            content: "Enter the (fake) card details",
            trigger: "input#customer_input",
            run: "edit 4242424242424242",
        },
        {
            content: "Pay",
            trigger: 'button[name="o_payment_submit_button"]:not(:disabled)',
            run: "click",
        },
        {
            content: "Land on Payments Made and open the payment",
            trigger: ".o_cp_payment_row a",
            run: "click",
            timeout: 30000,
        },
        {
            content: "The payment shows the two invoices it paid",
            trigger: ".o_cp_payment_invoices tbody tr:eq(1)",
        },
        {
            content: "The receipt can be downloaded and printed",
            trigger: ".o_cp_payment_detail a.o_cp_payment_download[href*='report_type=pdf']",
        },
        {
            content: "Print link",
            trigger: ".o_cp_payment_detail a.o_cp_payment_print[href*='report_type=pdf']",
        },
    ],
});

// Pay part of an invoice that allows partial payment (C2).
registry.category("web_tour.tours").add("customer_portal_partial_payment_tour", {
    url: "/my/invoices",
    steps: () => [
        {
            content: "Open the invoice that allows partial payment",
            trigger: ".o_portal_my_doc_table tr:contains(123.45) a[href^='/my/invoices/']",
            run: "click",
        },
        {
            content: "Pay Now",
            trigger: "a[data-bs-target='#pay_with']",
            run: "click",
        },
        {
            content: "The amount field shows the amount due as the customer reads amounts",
            trigger: "#pay_with input#o_cp_partial_amount[value='123.45']",
        },
        {
            content: "The summary shows the amount due",
            trigger: "#pay_with #o_payment_summary_amount_full:contains(123.45)",
        },
        {
            content: "Enter the amount to pay",
            trigger: "#pay_with input#o_cp_partial_amount",
            run: "edit 40",
        },
        {
            content: "The summary now shows what will be charged, in the invoice's currency",
            trigger: "#pay_with #o_payment_summary_amount_full:contains(40.00):not(:contains(123.45))",
        },
        {
            content: "Choose the demo provider",
            trigger: '#pay_with input[name="o_payment_radio"][data-payment-method-code="demo"]',
            run: "click",
        },
        {
            content: "Enter the (fake) card details",
            trigger: "#pay_with input#customer_input",
            run: "edit 4242424242424242",
        },
        {
            content: "Pay",
            trigger: '#pay_with button[name="o_payment_submit_button"]:not(:disabled)',
            run: "click",
        },
        {
            content: "Back on the invoice, the payment is confirmed",
            trigger: ".o_portal_sidebar, .o_account_payment_tx_status",
            timeout: 30000,
        },
    ],
});

/** @odoo-module **/

import { registry } from "@web/core/registry";

const year = new Date().getFullYear();

registry.category("web_tour.tours").add("customer_portal_statement_tour", {
    url: "/my",
    steps: () => [
        {
            content: "The home shows the balance payable of the customer's company",
            trigger: ".o_cp_balance_payable:contains('2,280.00')",
        },
        {
            content: "and the outstanding invoices with Pay Now",
            trigger: ".o_cp_outstanding_invoices:contains('2,400.00')",
        },
        {
            content: "and the available credits",
            trigger: ".o_cp_available_credits:contains('120.00')",
        },
        {
            content: "The same request filled in the counters: the Credit Notes card is shown",
            trigger: ".o_portal_index_card:not(.d-none) a[href='/my/credit_notes']",
        },
        {
            content: "and the page's spinner is gone",
            trigger: ".o_portal_my_home:not(:has(.o_portal_doc_spinner))",
        },
        {
            content: "Open the statement of account",
            trigger: "a.o_cp_statement_link",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "This month's statement is shown",
            trigger: ".o_cp_statement_closing_amount:contains('2,130.00')",
        },
        {
            content: "Choose this year",
            trigger: "select[name='period']",
            run: "select this_year",
        },
        {
            content: "Go",
            trigger: "button.o_cp_statement_go",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The statement now covers this year",
            trigger: `.o_cp_statement_period:contains('01/01/${year}'):contains('12/31/${year}')`,
        },
        {
            content: "with its balance due and a PDF to download",
            trigger: ".o_cp_statement_closing_amount:contains('2,130.00')",
        },
        {
            trigger: "a.o_cp_statement_pdf[href*='report_type=pdf'][href*='period=this_year']",
        },
    ],
});

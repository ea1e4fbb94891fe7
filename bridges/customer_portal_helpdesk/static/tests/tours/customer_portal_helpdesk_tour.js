/** @odoo-module **/
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).

import { registry } from "@web/core/registry";

// From the tickets list, raise a ticket about one of the customer's invoices with a PDF attached, then land
// on the new ticket with its attachment (P17, C17).
registry.category("web_tour.tours").add("customer_portal_helpdesk_ticket_tour", {
    url: "/my/tickets",
    steps: () => [
        {
            content: "Open the new-ticket form",
            trigger: "a.o_cp_new_ticket",
            run: "click",
        },
        {
            content: "Choose the category",
            trigger: "select#category",
            run: "selectByLabel Test Billing",
        },
        {
            content: "Type the subject",
            trigger: "input#subject",
            run: "edit Tour: my invoice is wrong",
        },
        {
            content: "Choose the invoice the ticket is about",
            trigger: "select#document",
            run: "selectByIndex 1",
        },
        {
            content: "Attach a PDF",
            trigger: "input#attachment",
            run() {
                const transfer = new DataTransfer();
                transfer.items.add(
                    new File(["%PDF-1.4\n%%EOF\n"], "invoice-question.pdf", { type: "application/pdf" })
                );
                this.anchor.files = transfer.files;
                this.anchor.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "Describe the problem",
            trigger: "textarea#description",
            run: "edit The amount of the last invoice is not the one we agreed.",
        },
        {
            content: "Send the ticket",
            trigger: "form[action='/submitted/ticket'] button[type='submit']",
            run: "click",
        },
        {
            content: "The new ticket is shown with its attachment",
            trigger: "#helpdesk_ticket_content:contains(Tour: my invoice is wrong) .oe_attachments:contains(invoice-question.pdf)",
        },
        {
            content: "It says which invoice it is about",
            trigger: ".o_cp_ticket_document a",
        },
    ],
});

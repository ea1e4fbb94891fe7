/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import { registry } from "@web/core/registry";

// The customer approves two time entries (Templates, Form) and declines one (Gallery) with a reason (P16).
registry.category("web_tour.tours").add("customer_portal_timesheet_approval", {
    steps: () => [
        {
            content: "Select the Templates entry",
            trigger: "tr:has(td:contains('Templates')) input[name='line_ids']",
            run: "click",
        },
        {
            content: "Select the Form entry",
            trigger: "tr:has(td:contains('Form')) input[name='line_ids']",
            run: "click",
        },
        {
            content: "Approve them",
            trigger: "button.o_cp_approve",
            run: "click",
        },
        {
            content: "Two entries approved",
            trigger: ".alert-success:contains('2 time entries approved.')",
        },
        {
            content: "Select the Gallery entry",
            trigger: "tr:has(td:contains('Gallery')) input[name='line_ids']",
            run: "click",
        },
        {
            content: "Say why",
            trigger: "textarea[name='reason']",
            run: "edit Gallery was not ordered",
        },
        {
            content: "Decline it",
            trigger: "button.o_cp_decline",
            run: "click",
        },
        {
            content: "One entry declined, with its reason",
            trigger: ".alert-success:contains('1 time entry declined.')",
        },
        {
            content: "The reason shows under the entry",
            trigger: "tr:has(td:contains('Gallery')) .text-muted:contains('Gallery was not ordered')",
        },
    ],
});

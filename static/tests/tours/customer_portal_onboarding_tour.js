/** @odoo-module **/

import { registry } from "@web/core/registry";

// A1, A4: on the customer's form, the gear next to the portal status opens Configure Customer Portal;
// two contacts ticked and saved are invited.
registry.category("web_tour.tours").add("customer_portal_configure_portal", {
    steps: () => [
        {
            content: "Nobody of the customer is invited yet",
            trigger: ".o_cp_portal_status:contains('Not invited')",
        },
        {
            content: "The gear next to the portal status",
            trigger: "button[name=action_open_portal_configure]",
            run: "click",
        },
        {
            content: "Carl has no email: he cannot be ticked, and the list says why",
            trigger: ".modal .o_cp_portal_configure .o_data_row:contains('Carl Zeta'):contains('No email address')",
        },
        {
            content: "Tick Alice",
            trigger: ".modal .o_data_row:contains('Alice Zeta') .o_field_boolean_toggle input",
            run: "click",
        },
        {
            content: "Tick Bob",
            trigger: ".modal .o_data_row:contains('Bob Zeta') .o_field_boolean_toggle input",
            run: "click",
        },
        {
            trigger: ".modal .o_data_row:contains('Bob Zeta') .o_field_boolean_toggle input:checked",
        },
        {
            content: "Save: the invitations go out",
            trigger: ".modal-footer button[name=action_portal_configure_save]",
            run: "click",
        },
        {
            content: "The customer's status says who was invited and when",
            trigger: "body:not(:has(.modal)) .o_cp_portal_status:contains('Invited on')",
        },
    ],
});

registry.category("web_tour.tours").add("customer_portal_portal_accepted", {
    steps: () => [
        {
            content: "Once the contact signed in, the customer's status says Accepted",
            trigger: ".o_cp_portal_status:contains('Accepted on')",
        },
    ],
});

// P5: a visitor of a public invoice asks for a portal account; no address to type.
registry.category("web_tour.tours").add("customer_portal_signup_offer", {
    steps: () => [
        {
            content: "The offer is on the invoice page, without an email field",
            trigger: "body:not(:has(.o_cp_signup_offer input[type=email])) .o_cp_signup_offer_button:visible",
            run() {
                if (document.documentElement.scrollWidth > window.innerWidth + 1) {
                    throw new Error(`the page scrolls sideways: ${document.documentElement.scrollWidth}px`);
                }
            },
        },
    ],
});

registry.category("web_tour.tours").add("customer_portal_signup_request", {
    steps: () => [
        {
            trigger: ".o_cp_signup_offer_button:visible",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The invitation went to the address on record, shown masked",
            trigger: ".o_cp_signup_result:contains('o•••@zeta.example')",
        },
    ],
});

// A5: the contact's own language on /my/account.
registry.category("web_tour.tours").add("customer_portal_account_language", {
    steps: () => [
        {
            content: "A language select among the contact's details",
            trigger: "select[name=lang]:visible",
            run() {
                if (document.documentElement.scrollWidth > window.innerWidth + 1) {
                    throw new Error(`the page scrolls sideways: ${document.documentElement.scrollWidth}px`);
                }
            },
        },
    ],
});

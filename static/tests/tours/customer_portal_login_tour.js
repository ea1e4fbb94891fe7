/** @odoo-module **/

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("customer_portal_login_banner", {
    steps: () => [
        {
            content: "The login page shows the company of the portal address",
            trigger: ".o_cp_company:contains('Alpha Trading')",
        },
        {
            trigger: "input[name=login]",
            run: "edit alpha_customer",
        },
        {
            trigger: "input[name=password]",
            run: "edit alpha_customer",
        },
        {
            content: "Sign in",
            trigger: ".oe_login_form button[type=submit]:contains('Log in')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The portal home shows the company's banner",
            trigger: "body:has(.o_portal_my_home) .o_cp_banner:contains('Alpha closes at noon on Friday')",
        },
    ],
});

registry.category("web_tour.tours").add("customer_portal_demo_login", {
    steps: () => [
        {
            trigger: "input[name=login]",
            run: "edit emma.wilson@northwind.example",
        },
        {
            trigger: "input[name=password]",
            run: "edit portal-demo",
        },
        {
            trigger: ".oe_login_form button[type=submit]:contains('Log in')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The demo banner greets the customer on the portal home",
            trigger: "body:has(.o_portal_my_home) .o_cp_banner:contains('Welcome to our customer portal')",
        },
    ],
});

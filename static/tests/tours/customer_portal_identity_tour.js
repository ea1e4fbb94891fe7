/** @odoo-module **/

import { registry } from "@web/core/registry";

function assertNoSidewaysScroll() {
    if (document.documentElement.scrollWidth > window.innerWidth + 1) {
        throw new Error(`the page scrolls sideways: ${document.documentElement.scrollWidth}px`);
    }
}

// P14: a visitor of a public invoice link sees its summary, not its content, and asks for the code; the
// address it goes to is the one on record, shown masked, never typed.
registry.category("web_tour.tours").add("customer_portal_identity_ask", {
    steps: () => [
        {
            content: "The summary and Pay, no download, no address to type",
            trigger:
                "body:not(:has(.o_download_pdf)):not(:has(.o_cp_identity_check input[type=email])) .o_cp_identity_summary:contains('Amount due') ~ .o_cp_identity_pay:visible",
            run: assertNoSidewaysScroll,
        },
        {
            content: "Email me a code",
            trigger: ".o_cp_identity_send_button:visible",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The code went to the address on record, masked",
            trigger: ".o_cp_identity_sent:contains('a•••@acme-id.example')",
            run: assertNoSidewaysScroll,
        },
    ],
});

// P14: the code read from the email (handed to the tour in the URL's fragment by the test), entered; the
// invoice opens and its PDF downloads.
registry.category("web_tour.tours").add("customer_portal_identity_enter", {
    steps: () => [
        {
            content: "Enter the emailed code",
            trigger: "input#o_cp_identity_code",
            run() {
                const code = new URLSearchParams(window.location.hash.slice(1)).get("code");
                if (!/^\d{6}$/.test(code || "")) {
                    throw new Error(`no code handed to the tour: ${window.location.hash}`);
                }
                this.anchor.value = code;
            },
        },
        {
            trigger: ".o_cp_identity_verify_button",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The invoice is open: its download link appears, and gives the PDF",
            trigger: ".o_download_pdf a[href*='download=true']:visible",
            async run() {
                const response = await fetch(this.anchor.getAttribute("href"));
                const bytes = new Uint8Array(await response.arrayBuffer());
                const magic = String.fromCharCode(...bytes.slice(0, 4));
                if (!response.ok || magic !== "%PDF") {
                    throw new Error(`the download is not the PDF: ${response.status} ${magic}`);
                }
            },
        },
    ],
});

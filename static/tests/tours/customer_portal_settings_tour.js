/** @odoo-module **/

import { registry } from "@web/core/registry";

// Settings > Customer Portal at the size of the test browser (1366 px wide): the portal URL is
// read in full and the banner editor has room and its formatting toolbar.
registry.category("web_tour.tours").add("customer_portal_settings_tour", {
    steps: () => [
        {
            content: "The portal URL is shown in full, not cut off",
            trigger: ".o_cp_url span:contains('/portal/a-rather-long-portal-name-for-the-northwind-traders-group')",
            run() {
                const span = document.querySelector(".o_cp_url span");
                if (span.scrollWidth > span.clientWidth + 1) {
                    throw new Error(`portal URL cut off: ${span.scrollWidth}px of text in ${span.clientWidth}px`);
                }
                if (span.getBoundingClientRect().width < 400) {
                    throw new Error("the portal URL is squeezed in a narrow box");
                }
            },
        },
        {
            content: "The banner editor shows its toolbar above the text",
            trigger: ".o_cp_banner .o-we-toolbar button[name='bold']:visible",
        },
        {
            content: "and has room to write",
            trigger: ".o_cp_banner .note-editable:contains('Room to write')",
            run() {
                const editable = document.querySelector(".o_cp_banner .note-editable");
                const { width, height } = editable.getBoundingClientRect();
                if (width < 600 || height < 100) {
                    throw new Error(`the banner editor is cramped: ${width}x${height}px`);
                }
            },
        },
    ],
});

/** @odoo-module **/

import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";

/**
 * M1: a customer of a company that enforces MFA signs in, scans the QR code (the tour reads the
 * key shown under it and asks a test-only route for the current code), sees the backup codes
 * and continues to the portal.
 */
registry.category("web_tour.tours").add("customer_portal_mfa_enroll_tour", {
    url: "/web/login",
    steps: () => [
        {
            content: "Enter the login",
            trigger: "input#login",
            run: "edit mfa_portal",
        },
        {
            content: "Enter the password",
            trigger: "input#password",
            run: "edit Portal-MFA-pass-1",
        },
        {
            content: "Sign in",
            trigger: "button:contains(Log in)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The enrollment page shows a QR code",
            trigger: ".o_cp_mfa_enroll img.o_cp_mfa_qrcode[src^='data:image/svg+xml;base64,']",
        },
        {
            content: "Read the key and type the code of the authenticator app",
            trigger: "span[name=secret]",
            async run(helpers) {
                const secret = this.anchor.textContent.replace(/\s/g, "");
                const code = await rpc("/customer_portal/test/totp_code", { secret });
                await helpers.edit(code, "input[name=totp_token]");
            },
        },
        {
            content: "Verify",
            trigger: "button:contains(Verify)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Ten backup codes are shown",
            trigger: ".o_cp_mfa_backup_code_list li.o_cp_mfa_backup_code:nth-child(10)",
        },
        {
            content: "Download and Copy are offered",
            trigger: ".o_cp_mfa_backup_codes:has(.o_cp_mfa_download):has(.o_cp_mfa_copy)",
        },
        {
            content: "Continue to sign in",
            trigger: "a.o_cp_mfa_continue",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The customer is in the portal",
            trigger: ".o_portal_wrap",
        },
    ],
});

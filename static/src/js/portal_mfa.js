/** @odoo-module **/

import publicWidget from "@web/legacy/js/public/public_widget";
import { browser } from "@web/core/browser/browser";

/**
 * Backup codes (M2): Copy to the clipboard and Download as a .txt file, in the browser only,
 * so that the codes are never sent to the server again.
 */
publicWidget.registry.CustomerPortalMfaBackupCodes = publicWidget.Widget.extend({
    selector: ".o_cp_mfa_backup_codes",
    events: {
        "click .o_cp_mfa_copy": "_onCopy",
        "click .o_cp_mfa_download": "_onDownload",
    },

    _getText() {
        const codes = [...this.el.querySelectorAll(".o_cp_mfa_backup_code")].map(
            (el) => el.textContent.trim()
        );
        return codes.join("\n") + "\n";
    },

    async _onCopy(ev) {
        ev.preventDefault();
        await browser.navigator.clipboard.writeText(this._getText());
        this.el.querySelector(".o_cp_mfa_copied").classList.remove("d-none");
    },

    _onDownload(ev) {
        ev.preventDefault();
        const blob = new Blob([this._getText()], { type: "text/plain" });
        const url = URL.createObjectURL(blob);
        const link = document.createElement("a");
        link.href = url;
        link.download = ev.currentTarget.dataset.filename || "backup-codes.txt";
        document.body.appendChild(link);
        link.click();
        link.remove();
        URL.revokeObjectURL(url);
    },
});

export default publicWidget.registry.CustomerPortalMfaBackupCodes;

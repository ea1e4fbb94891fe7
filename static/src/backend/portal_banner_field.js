import { registry } from "@web/core/registry";
import { HtmlField, htmlField } from "@html_editor/fields/html_field";

/**
 * The banner editor of Settings > Customer Portal: Odoo's html field with its formatting toolbar
 * always shown above the text, rather than floating over a selection, so that the person writing
 * the banner sees at once how to make it bold, a link or a list.
 */
export class PortalBannerHtmlField extends HtmlField {
    static template = "customer_portal.PortalBannerHtmlField";
}

registry.category("fields").add("customer_portal_banner_html", {
    ...htmlField,
    component: PortalBannerHtmlField,
});

/** @odoo-module **/

import { registry } from "@web/core/registry";

// A one-page PDF, as a customer's signed purchase order.
const PDF_BASE64 = btoa("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

async function chooseFile(input, name, type, base64) {
    const blob = await (await fetch(`data:${type};base64,${base64}`)).blob();
    const transfer = new DataTransfer();
    transfer.items.add(new File([blob], name, { type }));
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
}

// Issue 12: a customer helps themselves from the portal home (P8 and P11 on): edits the billing address, adds a
// colleague, sends the business a signed purchase order and finds it under Shared Documents beside the files
// the business shared, writes a review.
registry.category("web_tour.tours").add("customer_portal_self_service", {
    steps: () => [
        {
            content: "Edit the company's details, from the home",
            trigger: ".o_cp_edit_company_details",
            run: "click",
        },
        {
            content: "The company's card on My Details",
            trigger: ".o_cp_details_edit_company",
            run: "click",
        },
        {
            content: "A new billing street",
            trigger: ".o_cp_details_company_form input[name=street]",
            run: "edit 7 Harbour Quay",
        },
        {
            content: "Save the company's details",
            trigger: ".o_cp_details_company_form .o_cp_details_save",
            run: "click",
        },
        {
            content: "Saved, and the billing address shows the new street",
            trigger: ".o_cp_details_billing_address:contains('7 Harbour Quay')",
        },
        {
            content: "Add a colleague",
            trigger: ".o_cp_details_add_contact",
            run: "click",
        },
        {
            content: "The colleague's name",
            trigger: ".o_cp_details_contact_form input[name=name]",
            run: "edit Colin Colleague",
        },
        {
            content: "The colleague's email",
            trigger: ".o_cp_details_contact_form input[name=email]",
            run: "edit colin@tour-self-service.example",
        },
        {
            content: "Save the colleague",
            trigger: ".o_cp_details_contact_form .o_cp_details_save",
            run: "click",
        },
        {
            content: "The colleague is among the contact persons",
            trigger: ".o_cp_details_contacts:contains('Colin Colleague')",
            run: "goToUrl /my",
        },
        {
            content: "The home's Shared Documents card",
            trigger: ".o_portal_index_card a[href='/my/documents']",
            run: "click",
        },
        {
            content: "The file the business shared is listed",
            trigger: ".o_cp_document_row:contains('Price list 2026.pdf'):contains('Shared by')",
        },
        {
            content: "Choose the signed purchase order",
            trigger: ".o_cp_document_upload input[type=file]",
            async run({ anchor }) {
                await chooseFile(anchor, "Signed purchase order.pdf", "application/pdf", PDF_BASE64);
            },
        },
        {
            content: "Upload it",
            trigger: ".o_cp_document_upload_button",
            run: "click",
        },
        {
            content: "The upload is confirmed",
            trigger: ".o_cp_documents_message:contains('uploaded')",
        },
        {
            content: "It is under Shared Documents, uploaded by the customer, with a delete button",
            trigger: ".o_cp_document_row:contains('Signed purchase order.pdf'):contains('Uploaded by') .o_cp_document_delete",
            run: "goToUrl /my",
        },
        {
            content: "Write a review, from the home's Contact Us card",
            trigger: ".o_cp_write_review_link",
            run: "click",
        },
        {
            content: "Five stars",
            trigger: ".o_cp_review_form input[name=rating][value='5']",
            run: "click",
        },
        {
            content: "A message",
            trigger: ".o_cp_review_form textarea[name=message]",
            run: "edit Quick delivery and a helpful team.",
        },
        {
            content: "Submit the review",
            trigger: ".o_cp_review_submit",
            run: "click",
        },
        {
            content: "The business thanks the customer",
            trigger: ".o_cp_review_sent",
        },
    ],
});

/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * What a customer on a phone relies on, measured in the page as it is drawn:
 * - the page does not scroll sideways, and no table is wider than what can be seen of it;
 * - each visible header sits over its own column (same left and right edges as the body cells);
 * - no cell cuts off what it holds (amounts, badges, buttons).
 * Returns the list of problems found, empty when the layout is right.
 */
function findLayoutProblems() {
    const problems = [];
    const viewportWidth = window.innerWidth;
    const pageWidth = document.documentElement.scrollWidth;
    if (pageWidth > viewportWidth) {
        problems.push(`the page scrolls sideways: ${pageWidth}px wide in a ${viewportWidth}px window`);
    }
    const isShown = (el) => {
        const rect = el.getBoundingClientRect();
        return rect.width > 0 && rect.height > 0 && getComputedStyle(el).visibility !== "hidden";
    };
    const tables = [...document.querySelectorAll("#wrap table")].filter(isShown);
    if (!tables.length) {
        problems.push("no table is shown");
    }
    for (const [index, table] of tables.entries()) {
        const name = `table ${index + 1} (${table.className})`;
        const frame = (table.closest(".table-responsive") || table.parentElement).getBoundingClientRect();
        const visibleRight = Math.min(viewportWidth, frame.right);
        const tableRect = table.getBoundingClientRect();
        if (tableRect.right > visibleRight + 1) {
            problems.push(`${name} is ${Math.round(tableRect.right - visibleRight)}px wider than what can be seen of it`);
        }
        const headRow = table.querySelector("thead tr:last-child");
        const heads = headRow ? [...headRow.children].filter(isShown) : [];
        for (const row of table.querySelectorAll("tbody tr, tfoot tr")) {
            const cells = [...row.children].filter(isShown);
            for (const cell of cells) {
                const rect = cell.getBoundingClientRect();
                if (rect.right > visibleRight + 1) {
                    problems.push(`${name}: "${cell.textContent.trim()}" ends at ${Math.round(rect.right)}px, past ${Math.round(visibleRight)}px`);
                }
                if (cell.scrollWidth > cell.clientWidth + 1) {
                    problems.push(`${name}: "${cell.textContent.trim()}" is cut off (${cell.scrollWidth}px in ${cell.clientWidth}px)`);
                }
            }
            if (!heads.length || cells.some((cell) => cell.colSpan > 1)) {
                continue;
            }
            if (cells.length !== heads.length) {
                problems.push(`${name}: a row shows ${cells.length} cells under ${heads.length} headers`);
                continue;
            }
            cells.forEach((cell, i) => {
                const cellRect = cell.getBoundingClientRect();
                const headRect = heads[i].getBoundingClientRect();
                if (Math.abs(cellRect.left - headRect.left) > 1 || Math.abs(cellRect.right - headRect.right) > 1) {
                    problems.push(`${name}: header "${heads[i].textContent.trim()}" is not over its column`);
                }
            });
        }
    }
    return problems;
}

function checkLayout(extraChecks = () => []) {
    const problems = [...findLayoutProblems(), ...extraChecks()];
    if (problems.length) {
        throw new Error(`Phone layout (${window.innerWidth}px): ${problems.join("; ")}`);
    }
}

/** The elements must be there, shown, and end inside the window. */
function shownInWindow(selector, minimum = 1) {
    const elements = [...document.querySelectorAll(selector)].filter(
        (el) => el.getBoundingClientRect().width > 0
    );
    const problems = [];
    if (elements.length < minimum) {
        problems.push(`${elements.length} "${selector}" shown, ${minimum} expected`);
    }
    for (const el of elements) {
        const right = el.getBoundingClientRect().right;
        if (right > window.innerWidth) {
            problems.push(`"${selector}" ends at ${Math.round(right)}px, past the window`);
        }
    }
    return problems;
}

registry.category("web_tour.tours").add("customer_portal_phone_layout", {
    steps: () => [
        {
            content: "The list or statement is drawn",
            trigger: "#wrap table",
        },
        {
            content: "Headers over their columns, nothing cut off, no sideways scrolling",
            trigger: "#wrap table",
            run: () => checkLayout(),
        },
    ],
});

registry.category("web_tour.tours").add("customer_portal_phone_invoice_list", {
    url: "/my/invoices?filterby=all",
    steps: () => [
        {
            content: "The invoice list is drawn",
            trigger: ".o_portal_my_doc_table td[name='invoice_status']",
        },
        {
            content: "Amounts, statuses and Pay Now fit in the window, each under its header",
            trigger: ".o_portal_my_doc_table",
            run: () =>
                checkLayout(() => [
                    ...shownInWindow(".o_portal_my_doc_table a[href*='payment=True']"),
                    ...shownInWindow(".o_portal_my_doc_table td.text-end .oe_currency_value", 3),
                    ...shownInWindow(".o_portal_my_doc_table .o_cp_badge_overdue"),
                ]),
        },
    ],
});

registry.category("web_tour.tours").add("customer_portal_phone_statement", {
    url: "/my/statement?period=this_year",
    steps: () => [
        {
            content: "The statement is drawn",
            trigger: ".o_cp_statement_closing_amount",
        },
        {
            content: "Balances, amounts and the aging fit in the window; amounts never wrap",
            trigger: ".o_cp_statement_lines",
            run: () =>
                checkLayout(() => {
                    const problems = [
                        ...shownInWindow(".o_cp_statement_line_balance", 2),
                        ...shownInWindow(".o_cp_statement_line_amount", 2),
                        ...shownInWindow(".o_cp_statement_closing_amount"),
                        ...shownInWindow(".o_cp_aging_as_of"),
                    ];
                    // Transaction, Amount and Payments / Credits are for wider screens and the PDF.
                    for (const cell of document.querySelectorAll(".o_cp_statement_lines .o_cp_wide_only")) {
                        if (cell.getBoundingClientRect().width) {
                            problems.push(`the wide-screen column "${cell.textContent.trim()}" is shown`);
                        }
                    }
                    const amounts = document.querySelectorAll(
                        ".o_cp_statement_section td .oe_currency_value"
                    );
                    for (const amount of amounts) {
                        const cell = amount.closest("td");
                        if (cell.getBoundingClientRect().width && cell.getClientRects().length &&
                                getComputedStyle(cell).whiteSpace !== "nowrap") {
                            problems.push(`the amount "${cell.textContent.trim()}" may wrap`);
                        }
                    }
                    return problems;
                }),
        },
    ],
});

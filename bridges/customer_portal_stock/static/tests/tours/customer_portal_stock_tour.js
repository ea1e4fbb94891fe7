/** @odoo-module **/

import { registry } from "@web/core/registry";

// C18: from the home's Shipments card to the shipments, to the order of one, to its carrier's tracking link.
registry.category("web_tour.tours").add("customer_portal_stock_shipment_tour", {
    url: "/my",
    steps: () => [
        {
            content: "The home counts the shipments on the way",
            trigger: ".o_cp_shipments_on_the_way:contains('2 shipments on the way')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The shipments page lists the parcel shipped with its tracking reference; open its order",
            trigger: "tr.o_cp_shipment_row:has(a.o_cp_tracking_link:contains('TRK-P1')) td.o_cp_shipment_order a",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The order is partly shipped",
            trigger: ".o_cp_order_delivery_status:contains('Partly shipped')",
        },
        {
            content: "Its shipments show the carrier",
            trigger: "#portal_order_shipments .o_cp_shipment_carrier:contains('Express Parcels')",
        },
        {
            content: "and the rest still to ship",
            trigger: "#portal_order_shipments .o_cp_shipment_scheduled",
        },
        {
            content: "and the delivery slip",
            trigger: "#portal_order_shipments a.o_cp_delivery_slip[href^='/my/picking/pdf/']",
        },
        {
            content: "The tracking reference links to the carrier's tracking page",
            trigger:
                "#portal_order_shipments a.o_cp_tracking_link[href='https://track.example.com/parcel?ref=TRK-P1']:contains('TRK-P1')",
        },
    ],
});

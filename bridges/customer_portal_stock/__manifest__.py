# Part of customer_portal. See LICENSE file for full copyright and licensing details.
{
    'name': "Customer Portal - Shipments",
    'version': '18.0.1.0.0',
    'category': 'Inventory/Delivery',
    'summary': "Customers follow the shipments of their orders: delivery status, carrier, tracking link, slip",
    'author': "Customer Portal maintainers",
    'license': 'LGPL-3',
    # stock_delivery (Odoo CE, delivery methods on transfers) gives a shipment its carrier, tracking reference
    # and the carrier's tracking link: installing this bridge installs it too (see README.md).
    'depends': ['customer_portal', 'sale_stock', 'stock_delivery'],
    'data': [
        'security/stock_picking_security.xml',
        'views/res_config_settings_views.xml',
        'views/portal_shipment_templates.xml',
    ],
    'demo': [
        'demo/stock_demo.xml',
    ],
    # A bridge: installed by itself when customer_portal and sale_stock are both installed (C18), bringing
    # stock_delivery (and delivery) with it.
    'auto_install': ['customer_portal', 'sale_stock'],
    'assets': {
        'web.assets_tests': [
            'customer_portal_stock/static/tests/tours/**/*',
        ],
    },
}

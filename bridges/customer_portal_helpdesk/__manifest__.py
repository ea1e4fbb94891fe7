# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
# AGPL-3 because it extends OCA's `helpdesk_mgmt`, which is AGPL-3; the core addon stays LGPL-3 (.pylintrc allows
# LGPL-3 only, for the core addon).
# pylint: disable=license-allowed
{
    'name': "Customer Portal - Support Tickets",
    'version': '18.0.1.0.0',
    'category': 'After-Sales',
    'summary': "Customers raise support tickets (OCA helpdesk) and talk with the support team on the portal",
    'author': "Customer Portal maintainers",
    'license': 'AGPL-3',
    'depends': ['customer_portal', 'helpdesk_mgmt'],
    'data': [
        'security/helpdesk_security.xml',
        'data/mail_message_subtype_data.xml',
        'views/res_config_settings_views.xml',
        'views/helpdesk_ticket_views.xml',
        'views/portal_helpdesk_templates.xml',
    ],
    'demo': [
        'demo/helpdesk_demo.xml',
    ],
    'assets': {
        'web.assets_tests': [
            'customer_portal_helpdesk/static/tests/tours/**/*',
        ],
    },
    # A bridge: installed by itself when both customer_portal and helpdesk_mgmt are (P17).
    'auto_install': True,
}

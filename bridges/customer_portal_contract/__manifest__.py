# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
# AGPL-3 because it extends OCA's `contract`, which is AGPL-3; the core addon stays LGPL-3 (.pylintrc allows
# LGPL-3 only, for the core addon).
# pylint: disable=license-allowed
{
    'name': "Customer Portal - Subscriptions",
    'version': '18.0.1.0.0',
    'category': 'Accounting/Accounting',
    'summary': "Customers see their subscriptions (OCA contracts) and the invoices made from them",
    'author': "Customer Portal maintainers",
    'license': 'AGPL-3',
    'depends': ['customer_portal', 'contract'],
    'data': [
        'security/contract_security.xml',
        'views/res_config_settings_views.xml',
        'views/portal_contract_templates.xml',
    ],
    'demo': [
        'demo/contract_demo.xml',
    ],
    # A bridge: installed by itself when both customer_portal and contract are (P15).
    'auto_install': True,
}

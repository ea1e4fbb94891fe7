# Part of customer_portal. See LICENSE file for full copyright and licensing details.
{
    'name': "Customer Portal",
    'version': '18.0.1.0.0',
    # Invoices, payments and statements of account, on top of account_payment: the category of Odoo's
    # own account_payment. Not Website/*: the addon extends the portal, not the website builder.
    'category': 'Accounting/Accounting',
    'summary': "A complete self-service customer portal: balances, payments, statements, MFA",
    'author': "Customer Portal maintainers",
    'license': 'LGPL-3',
    # The app page is static/description/index.html (and readme/ for OCA tooling); this is its picture.
    'images': ['static/description/screenshot_home.png'],
    'depends': [
        'portal',
        'account_payment',
        'sale_management',
        'auth_totp_portal',
        'auth_signup',
        # P11 reviews are Odoo ratings (rating.rating) of the customer. Already installed by the projects
        # bridge (project depends on it); it brings portal_rating (auto-install) along.
        'rating',
    ],
    'external_dependencies': {
        'python': ['pyotp', 'qrcode'],
    },
    'data': [
        'security/ir.model.access.csv',
        'views/res_config_settings_views.xml',
        'views/res_config_settings_portal_section_views.xml',
        'views/res_partner_views.xml',
        'views/res_partner_portal_permission_views.xml',
        'views/portal_wizard_views.xml',
        'data/ir_cron_data.xml',
        'data/mail_template_data.xml',
        'data/mail_template_identity_data.xml',
        'data/mail_message_subtype_data.xml',
        'data/ir_sequence_data.xml',
        'views/portal_mfa_templates.xml',
        'views/portal_templates.xml',
        'views/portal_login_templates.xml',
        'views/portal_branding_templates.xml',
        'views/portal_home_templates.xml',
        'views/portal_section_templates.xml',
        'views/portal_invoice_templates.xml',
        'views/portal_credit_note_templates.xml',
        'views/portal_retainer_templates.xml',
        'views/portal_sale_order_templates.xml',
        'views/portal_estimate_templates.xml',
        'views/portal_statement_templates.xml',
        'report/report_statement.xml',
        'views/account_move_views.xml',
        'views/customer_portal_document_view_views.xml',
        'views/payment_transaction_views.xml',
        'views/portal_invoice_payment_templates.xml',
        'views/portal_payment_templates.xml',
        'views/portal_accessibility_templates.xml',
        'views/portal_signup_templates.xml',
        'views/portal_identity_templates.xml',
        'views/portal_account_templates.xml',
        'views/portal_my_details_templates.xml',
        'views/portal_document_share_templates.xml',
        'views/customer_portal_share_link_views.xml',
        'views/rating_rating_views.xml',
        'views/portal_contact_business_templates.xml',
    ],
    'demo': [
        'demo/customer_portal_demo.xml',
        'demo/customer_portal_permission_demo.xml',
    ],
    'assets': {
        'web.assets_frontend': [
            'customer_portal/static/src/scss/portal_accessibility.scss',
            'customer_portal/static/src/js/payment_form.js',
            'customer_portal/static/src/js/portal_bulk_payment.js',
            'customer_portal/static/src/js/portal_mfa.js',
        ],
        'web.assets_backend': [
            'customer_portal/static/src/backend/**/*',
        ],
        'portal.assets_chatter_style': [
            'customer_portal/static/src/scss/portal_chatter_accessibility.scss',
        ],
        'web.assets_tests': [
            'customer_portal/static/tests/tours/**/*',
        ],
    },
    'post_init_hook': '_post_init_hook',
}

# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# LGPL-3 like the core addon and the apps it bridges (sale_timesheet, hr_timesheet, project are LGPL-3).
{
    'name': "Customer Portal - Projects and Timesheets",
    'version': '18.0.1.0.0',
    'category': 'Services/Timesheets',
    'summary': "Customers see their projects' hours and time entries, and approve time entries before invoicing",
    'author': "Customer Portal maintainers",
    'license': 'LGPL-3',
    'depends': ['customer_portal', 'sale_timesheet'],
    'data': [
        'security/project_security.xml',
        'data/mail_message_subtype_data.xml',
        'views/res_config_settings_views.xml',
        'views/project_project_views.xml',
        'views/account_analytic_line_views.xml',
        'views/portal_project_hours_templates.xml',
    ],
    'demo': [
        'demo/timesheet_demo.xml',
    ],
    'assets': {
        'web.assets_tests': [
            'customer_portal_timesheet/static/tests/tours/**/*',
        ],
    },
    # A bridge: installed by itself when both customer_portal and sale_timesheet are (P16).
    'auto_install': True,
}

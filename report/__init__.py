from . import report_portal_statement

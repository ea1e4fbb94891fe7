# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""The routes of each portal section (P18), refused (404) to a customer whose company hides the section or
who may not view documents (A9). One table for our routes, stock's (/my/invoices, /my/orders, /my/quotes, their
documents and their PDFs under /report) and the bridges'; ir.http._pre_dispatch asks it on every request."""

import json
from urllib.parse import urlsplit

# Route (the rule's path, up to a '/' or its end) -> section. The longest prefix wins.
PORTAL_SECTION_ROUTES = {
    '/my/invoices': 'invoices',
    '/my/quotes': 'estimates',
    '/my/orders': 'sales_orders',
    '/my/statement': 'statements',
    '/my/payments': 'payments_made',
    '/my/retainer_invoices': 'retainer_invoices',
    '/my/credit_notes': 'credit_notes',
    '/my/documents': 'documents',
    '/my/projects': 'projects',
    '/my/project': 'projects',
    '/my/tasks': 'projects',
    '/my/task': 'projects',
    '/my/timesheets': 'projects',
    '/my/contracts': 'subscriptions',
    '/my/tickets': 'tickets',
    '/my/ticket': 'tickets',
    '/new/ticket': 'tickets',
    '/submitted/ticket': 'tickets',
    '/ticket/close': 'tickets',
    '/my/shipments': 'shipments',
}
# A route argument naming a document whose own section decides (a quotation's page is an estimate's, an
# order's a sales order's), on the customer routes of these prefixes.
PORTAL_SECTION_RECORD_ARGS = {'invoice_id': 'account.move', 'order_id': 'sale.order'}
PORTAL_SECTION_RECORD_PREFIXES = ('/my/', '/invoice/')
# The ``kind`` argument of a route of several kinds of documents, naming the model of its ``document_id``.
PORTAL_SECTION_KIND_MODELS = {'invoices': 'account.move', 'orders': 'sale.order'}
# Documents printed by /report, by model, whose section is the same for every record.
PORTAL_SECTION_MODELS = {
    'account.payment': 'payments_made',
    'stock.picking': 'shipments',
    'project.project': 'projects',
    'project.task': 'projects',
    'account.analytic.line': 'projects',
    'contract.contract': 'subscriptions',
    'helpdesk.ticket': 'tickets',
}
PORTAL_SECTION_REPORTS = {'customer_portal.report_portal_statement': 'statements'}
REPORT_CONVERTERS = ('pdf', 'html', 'text')


def get_route_section(path):
    """The section of a route's path (its rule), or None."""
    best = None
    for prefix, section in PORTAL_SECTION_ROUTES.items():
        if (path == prefix or path.startswith(prefix + '/')) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, section)
    return best and best[1]


def parse_record_ids(value):
    """Ids of "1,2,3" (or one int), or None when malformed."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value or len(value) > 10000:
        return None
    ids = []
    for part in value.split(','):
        part = part.strip()
        if not (part.isascii() and part.isdigit() and len(part) <= 10) or not 0 < int(part) < 2**31:
            return None
        ids.append(int(part))
    return ids


def parse_report_url(url):
    """(report name, docids text) of a /report/<converter>/<name>/<docids> URL, or None."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url).path.split('/')
    # ['', 'report', converter, name, docids]
    if len(parts) >= 5 and parts[1] == 'report' and parts[2] in REPORT_CONVERTERS:
        return parts[3], parts[4]
    return None


def parse_report_download(data):
    """The /report/<converter>/... URL that /report/download is asked to print, or None."""
    try:
        answer = json.loads(data) if isinstance(data, str) else None
    except ValueError:
        return None
    if isinstance(answer, list) and answer and isinstance(answer[0], str):
        return answer[0]
    return None


def get_record_section(record, report_name=None):
    """The portal section of ``record`` (one record), or None when it belongs to no section."""
    if report_name in PORTAL_SECTION_REPORTS:
        return PORTAL_SECTION_REPORTS[report_name]
    if record._name == 'sale.order':
        # A quotation is an estimate until confirmed, then a sales order (P12).
        return 'sales_orders' if record.state == 'sale' else 'estimates'
    if record._name == 'account.move':
        # A credit note is in Credit Notes while its company displays them (P13), else with the invoices
        # as stock lists it.
        if record.move_type == 'out_refund' and record.company_id._is_portal_section_enabled('credit_notes'):
            return 'credit_notes'
        return 'invoices'
    return PORTAL_SECTION_MODELS.get(record._name)


# Counters of the home's cards (stock's, ours and the bridges'), by section: not counted, and forgotten from the
# session's cache, when the section is not shown.
PORTAL_SECTION_COUNTERS = {
    'invoices': ('invoice_count', 'overdue_invoice_count', 'bill_count'),
    'estimates': ('quotation_count',),
    'sales_orders': ('order_count',),
    'payments_made': ('payment_count',),
    'retainer_invoices': ('retainer_invoice_count',),
    'credit_notes': ('credit_note_count',),
    'documents': ('document_count', 'shared_document_count'),
    'projects': ('project_count', 'task_count', 'timesheet_count'),
    'subscriptions': ('contract_count',),
    'tickets': ('ticket_count',),
    'shipments': ('shipments_on_the_way',),
}

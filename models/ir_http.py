import inspect
import json

import psycopg2
from werkzeug.exceptions import HTTPException, NotFound

from odoo import models
from odoo.exceptions import AccessDenied, AccessError, UserError
from odoo.http import Response, SessionExpiredException, request

from ..tools import portal_sections
from ..tools.tokens import TOKEN_PARAMS, is_well_formed_token

# Customer pages whose routes are not website=True ones (sign-in, second factor, sign-up), on top
# of every frontend (portal, public link, payment) route.
CUSTOMER_PATH_PREFIXES = (
    '/my',
    '/portal/',
    '/payment/',
    '/invoice/',
    '/web/login',
    '/web/signup',
    '/web/reset_password',
)
# Errors whose message is meant for the user; the message of any other one is replaced.
USER_ERRORS = (UserError, AccessDenied, AccessError, HTTPException, SessionExpiredException)


class IrHttp(models.AbstractModel):
    _inherit = 'ir.http'

    @classmethod
    def _serve_fallback(cls):
        # EXTENDS base: a path that matches no route is looked up as an attachment URL; with a NUL
        # byte in it (/my/invoices/%00) PostgreSQL refuses the query and the 404 became a 500.
        if '\x00' in request.httprequest.path:
            return None
        return super()._serve_fallback()

    # ------------------------------------------------------------
    # Tokens (issue 21)
    # ------------------------------------------------------------

    @classmethod
    def _dispatch(cls, endpoint):
        # EXTENDS base: the one place where a malformed access or payment token becomes a wrong
        # one, for our routes and every stock route alike. why: stock compares tokens with
        # hmac.compare_digest, which raises TypeError on non-ASCII text ("%C2%BF") or a JSON
        # array: a 500 instead of the route's normal refusal.
        cls._sanitize_token_params(endpoint)
        return super()._dispatch(endpoint)

    @classmethod
    def _sanitize_token_params(cls, endpoint):
        """Read a token that cannot be one (see tools/tokens.py), or one sent several times with
        different values, as the empty token: every route refuses it as it refuses a wrong one,
        and the document's owner, whose token is not compared, still gets the page. A token the
        route requires (/payment/confirmation) and that is missing is the empty one too."""
        params = request.params
        httprequest = request.httprequest
        is_http = getattr(request.dispatcher, 'routing_type', None) == 'http'
        for name in TOKEN_PARAMS:
            value = params.get(name)
            if value is None and name not in params and cls._requires_param(endpoint, name):
                params[name] = ''
            if value is None or value == '':
                continue
            values = httprequest.args.getlist(name) + (httprequest.form.getlist(name) if is_http else [])
            if not is_well_formed_token(value) or len(set(values)) > 1:
                params[name] = ''

    @classmethod
    def _requires_param(cls, endpoint, name):
        function = getattr(endpoint, 'original_endpoint', None)
        try:
            parameter = inspect.signature(function).parameters.get(name) if function else None
        except (TypeError, ValueError):
            return False
        return parameter is not None and parameter.default is inspect.Parameter.empty

    # ------------------------------------------------------------
    # Portal sections (P18) and the contact's view permission (A9), issue 20
    # ------------------------------------------------------------

    @classmethod
    def _pre_dispatch(cls, rule, args):
        # EXTENDS base: a route of a portal section its customer may not see answers 404 (tools/portal_sections.py).
        result = super()._pre_dispatch(rule, args)
        cls._check_portal_section_route(rule, args)
        return result

    @classmethod
    def _check_portal_section_route(cls, rule, args):
        """404 when the route, or a document it names (a PDF under /report too), belongs to a section that
        the document's company (else the user's) hides, or the contact may not view documents (A9). Internal
        users are never refused (their previews); read on every request, so a change takes effect at once."""
        env = request.env
        if not env.uid or env.user._is_internal():
            return
        user = env.user
        partner = None if user._is_public() else user.partner_id
        documents = cls._get_portal_section_route_documents(rule.rule, args)
        if documents is None:
            section = portal_sections.get_route_section(rule.rule)
            documents = [(None, section)] if section else []
        for record, section in documents:
            company = record.company_id if record is not None and 'company_id' in record._fields else None
            company = company or user.company_id
            allowed = (
                partner._is_portal_section_visible(section, company)
                if partner
                else company._is_portal_section_enabled(section)
            )
            if section and not allowed:
                raise NotFound()

    @classmethod
    def _get_portal_section_route_documents(cls, path, args):
        """[(record (sudo), its section)] of the documents a route names, or None when it names none."""
        env = request.env
        if path.startswith('/report/'):
            if path == '/report/download':
                url = portal_sections.parse_report_download(request.get_http_params().get('data'))
                parsed = portal_sections.parse_report_url(url)
            elif args.get('converter') in portal_sections.REPORT_CONVERTERS and args.get('docids'):
                parsed = (args.get('reportname'), args.get('docids'))
            else:
                parsed = None
            ids = parsed and portal_sections.parse_record_ids(parsed[1])
            if not ids:
                return None
            # sudo: which document is asked for, to refuse it; the report itself applies the user's rights.
            report = env['ir.actions.report'].sudo()._get_report_from_name(parsed[0])
            if not report or report.model not in env:
                return None
            records = env[report.model].sudo().browse(ids).exists()
            return [(record, portal_sections.get_record_section(record, parsed[0])) for record in records]
        if path.startswith(portal_sections.PORTAL_SECTION_RECORD_PREFIXES):
            # A route of several kinds of documents (/my/<any(invoices,orders):kind>/<int:document_id>/...).
            kind_model = portal_sections.PORTAL_SECTION_KIND_MODELS.get(args.get('kind'))
            record_args = {'document_id': kind_model} if kind_model else portal_sections.PORTAL_SECTION_RECORD_ARGS
            for arg, model in record_args.items():
                if arg in args and model in env:
                    ids = portal_sections.parse_record_ids(args[arg])
                    # sudo: the document's section and company, to refuse it; the route checks the access.
                    record = env[model].sudo().browse(ids).exists() if ids else env[model]
                    return [(record, portal_sections.get_record_section(record))] if record else []
        return None

    # ------------------------------------------------------------
    # Security headers (issue 21)
    # ------------------------------------------------------------

    @classmethod
    def _post_dispatch(cls, response):
        # EXTENDS base: anti-framing, referrer and sniffing headers on customer pages.
        result = super()._post_dispatch(response)
        cls._set_customer_security_headers(response)
        return result

    @classmethod
    def _is_customer_request(cls):
        return bool(getattr(request, 'is_frontend', False)) or request.httprequest.path.startswith(
            CUSTOMER_PATH_PREFIXES
        )

    @classmethod
    def _set_customer_security_headers(cls, response):
        """Customer pages cannot be framed by another site (the Pay button, clickjacking): the
        portal frames its own pages (the invoice preview), so 'self' stays allowed. A token in
        the URL never leaves in a Referer header; other pages send only their origin to other
        sites."""
        headers = getattr(response, 'headers', None)
        if headers is None or not cls._is_customer_request():
            return
        headers.setdefault('X-Frame-Options', 'SAMEORIGIN')
        policy = headers.get('Content-Security-Policy')
        if not policy:
            headers['Content-Security-Policy'] = "frame-ancestors 'self'"
        elif 'frame-ancestors' not in policy:
            headers['Content-Security-Policy'] = f"{policy.rstrip('; ')}; frame-ancestors 'self'"
        args = request.httprequest.args
        has_token = any(args.get(name) for name in TOKEN_PARAMS)
        headers['Referrer-Policy'] = 'same-origin' if has_token else 'strict-origin-when-cross-origin'
        headers['X-Content-Type-Options'] = 'nosniff'

    # ------------------------------------------------------------
    # Errors (issue 21)
    # ------------------------------------------------------------

    @classmethod
    def _handle_error(cls, exception):
        # EXTENDS base: customers get the error's message without the server's traceback, and
        # error pages carry the security headers of the page they replace.
        if (
            isinstance(exception, HTTPException)
            and isinstance(exception.response, Response)
            and getattr(request.dispatcher, 'routing_type', None) == 'http'
        ):
            # why: an HTTP error raised with a page of its own (e.g. a document's link refused, issue 11)
            # keeps it; http_routing would answer its generic error page.
            cls._set_customer_security_headers(exception.response)
            return exception.response
        response = super()._handle_error(exception)
        if getattr(request.dispatcher, 'routing_type', None) == 'json':
            if isinstance(response, Response) and not cls._is_internal_caller():
                cls._strip_json_error_debug(response, exception)
        elif cls._is_customer_request():
            if isinstance(response, HTTPException):
                # why: an HTTP error of a route that is not a website one (e.g. /web/login/totp)
                # is an exception without headers of its own; its page is the same.
                response = response.get_response(request.httprequest.environ)
            cls._set_customer_security_headers(response)
        return response

    @classmethod
    def _is_internal_caller(cls):
        """An internal user keeps Odoo's debug information; a failed query of the request may have
        left the transaction aborted, which is rolled back (nothing of it is committed anyway)."""
        for attempt in range(2):
            try:
                return bool(request.env.uid) and request.env.user._is_internal()
            except psycopg2.Error:
                if attempt:
                    return False
                request.env.cr.rollback()
        return False

    @classmethod
    def _strip_json_error_debug(cls, response, exception):
        try:
            answer = json.loads(response.get_data())
        except ValueError:
            return
        data = (answer.get('error') or {}).get('data') if isinstance(answer, dict) else None
        if not isinstance(data, dict):
            return
        data.pop('debug', None)
        if not isinstance(exception, USER_ERRORS):
            # why: the text of an unexpected error (a KeyError, a database error) tells about the
            # server, not about what the customer can do; http routes hide it too.
            try:
                message = request.env._("An unexpected error occurred. Reload the page and try again.")
            except psycopg2.Error:
                message = "An unexpected error occurred. Reload the page and try again."
            data.update(message=message, arguments=[message], context={})
        response.set_data(json.dumps(answer))

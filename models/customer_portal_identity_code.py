# Part of customer_portal. See LICENSE file for full copyright and licensing details.
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.payment import utils as payment_utils

from ..tools import email_codes

_logger = logging.getLogger(__name__)

# security.md "Codes sent by email".
CODE_VALIDITY = timedelta(minutes=10)
MAX_ATTEMPTS = 5
MAX_SENDS = 3
SEND_WINDOW = timedelta(minutes=15)
# The documents a public link shows (P14): invoices (down-payment ones included) and quotations / orders.
GATED_MODELS = ('account.move', 'sale.order')
# Session key of the documents whose code the browser entered: "<model>,<id>" strings.
SESSION_KEY = 'customer_portal_identity_unlocked'


class CustomerPortalIdentityCode(models.Model):
    """A one-time code emailed to the address on record of a public link (P14). A visitor who is not
    signed in reads the document's content only once they entered the latest code sent for it.

    Only its salted hash is kept. No access for portal or public users: the methods below run as
    superuser and are the only way in.
    """

    _name = 'customer_portal.identity.code'
    _description = "Public Link Verification Code"
    _order = 'id desc'

    res_model = fields.Char(string="Document Model", required=True, readonly=True)
    res_id = fields.Integer(string="Document", required=True, readonly=True)
    email = fields.Char(required=True, readonly=True)
    partner_id = fields.Many2one('res.partner', string="Customer", readonly=True, ondelete='cascade')
    company_id = fields.Many2one('res.company', readonly=True, ondelete='cascade')
    share_link_id = fields.Integer(string="Per-Recipient Link", readonly=True)
    code_hash = fields.Char(required=True, groups=fields.NO_ACCESS)
    expiry_date = fields.Datetime(string="Expires On", required=True, readonly=True)
    attempt_count = fields.Integer(string="Attempts", default=0, readonly=True)
    used_date = fields.Datetime(string="Used On", readonly=True)

    def init(self):
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS customer_portal_identity_code_document_idx "
            "ON customer_portal_identity_code (res_model, res_id, id DESC)"
        )

    # ------------------------------------------------------------
    # Who is asked, and for what
    # ------------------------------------------------------------

    @api.model
    def _is_gated_document(self, document):
        """Whether ``document`` is a document whose public link may ask for a code (P14), whatever
        the company's setting: a customer invoice, receipt or credit note, a quotation or order."""
        if len(document) != 1 or document._name not in GATED_MODELS:
            return False
        if document._name == 'account.move':
            return document.sudo().is_sale_document(include_receipts=True)
        return True

    @api.model
    def _is_required(self, document):
        """Whether the current user must enter a code before reading ``document``'s content: the
        company asks for it (P14) and the user cannot read the document by themselves (a visitor,
        or a user of another customer). Signed-in users of the customer are never asked."""
        if not self._is_gated_document(document):
            return False
        document_sudo = document.sudo()
        if not document_sudo.company_id.portal_identity_check:
            return False
        return not document.with_user(self.env.user).sudo(False).has_access('read')

    @api.model
    def _get_share_link(self, document, access_token):
        """The per-recipient link (issue 11 item 2) of ``access_token`` for ``document``, or the one
        through which this browser opened it (its sub-pages carry the document's own token); None
        for stock's token alone."""
        Link = self.env['customer_portal.share.link'].sudo()
        link = None
        if access_token and isinstance(access_token, str):
            link = Link._get_by_token(document._name, document.id, access_token)
        if not link and request:
            link = Link._get_by_session(document._name, document.id, request.session)
        return link or None

    @api.model
    def _get_recipient(self, document, access_token):
        """(email, partner, share link) on record for the link of ``access_token``: the recipient of
        a per-recipient link, else the document's customer. The visitor never chooses the address."""
        document_sudo = document.sudo()
        partner = document_sudo.partner_id
        link = self._get_share_link(document, access_token)
        if link:
            return (link.email or '').strip(), partner, link
        return (partner.email or '').strip(), partner, None

    # ------------------------------------------------------------
    # Unlocking in one browser session
    # ------------------------------------------------------------

    @api.model
    def _session_key(self, document):
        return f'{document._name},{document.id}'

    @api.model
    def _is_unlocked(self, session, document):
        return session is not None and self._session_key(document) in (session.get(SESSION_KEY) or [])

    @api.model
    def _unlock(self, session, document):
        unlocked = list(session.get(SESSION_KEY) or [])
        key = self._session_key(document)
        if key not in unlocked:
            # A session keeps the last 50 documents it unlocked.
            session[SESSION_KEY] = [*unlocked, key][-50:]

    @api.model
    def _is_locked(self, document, session):
        """Whether the current user, in ``session``, must still enter a code for ``document``."""
        return self._is_required(document) and not self._is_unlocked(session, document)

    # ------------------------------------------------------------
    # Sending and checking codes
    # ------------------------------------------------------------

    def _document_domain(self, document):
        return [('res_model', '=', document._name), ('res_id', '=', document.id)]

    @api.model
    def _send_code(self, document, access_token):
        """Email a new code to the address on record of the link; the codes sent before it stop
        working. Return that address. Raise UserError when there is no address or the document
        had MAX_SENDS codes in the last SEND_WINDOW."""
        Code = self.sudo()
        document_sudo = document.sudo()
        email, partner, link = Code._get_recipient(document_sudo, access_token)
        if not email:
            raise UserError(
                self.env._(
                    "We have no email address on record for this link. Contact %(company)s to get the document.",
                    company=document_sudo.company_id.name,
                )
            )
        now = fields.Datetime.now()
        recent = Code.search(
            [*self._document_domain(document_sudo), ('create_date', '>', now - SEND_WINDOW)], order='id'
        )
        if len(recent) >= MAX_SENDS:
            retry_date = recent[-MAX_SENDS].create_date + SEND_WINDOW
            _logger.info("Public link code: SEND LIMIT for %s", document_sudo)
            raise UserError(
                self.env._(
                    "Too many codes were sent for this document. Please try again after %(time)s UTC.",
                    time=retry_date.strftime('%H:%M'),
                )
            )
        if recent:
            # The codes sent before stop working (latest only). Two sends at once both write this row:
            # one of them fails to serialize and is retried by the HTTP layer, and then counts the
            # other's code (an expected race, not logged as a bad query).
            self.env.cr.execute(
                "UPDATE customer_portal_identity_code SET expiry_date = LEAST(expiry_date, %s) WHERE id = ANY(%s)",
                (now, recent.ids),
                log_exceptions=False,
            )
            recent.invalidate_recordset(['expiry_date'])
        code = email_codes.generate_code()
        record = Code.create(
            {
                'res_model': document_sudo._name,
                'res_id': document_sudo.id,
                'email': email,
                'partner_id': partner.id,
                'company_id': document_sudo.company_id.id,
                'share_link_id': link.id if link else False,
                'code_hash': email_codes.hash_code(code),
                'expiry_date': now + CODE_VALIDITY,
            }
        )
        template = self.env.ref('customer_portal.mail_template_portal_identity_code')
        template.sudo().with_context(
            portal_identity_code=code, portal_identity_document=document_sudo.display_name
        ).send_mail(record.id, email_values={'email_to': email, 'recipient_ids': []})
        _logger.info("Public link code: SENT for %s", document_sudo)
        return email

    @api.model
    def _verify_code(self, document, access_token, code):
        """Check ``code`` against the latest code sent for the link of ``access_token``; it is then
        used up. Raise UserError when it is wrong, expired, used or tried too often."""
        Code = self.sudo()
        email, _partner, _link = Code._get_recipient(document, access_token)
        latest = Code.search([*self._document_domain(document), ('email', '=', email)], limit=1) if email else Code
        if not latest or latest.used_date or latest.expiry_date <= fields.Datetime.now():
            raise UserError(self.env._("This code has expired or was already used. Ask for a new code."))
        # One statement counts the attempt and checks the limit: parallel guesses cannot exceed it.
        self.env.cr.execute(
            "UPDATE customer_portal_identity_code SET attempt_count = COALESCE(attempt_count, 0) + 1 "
            "WHERE id = %s AND COALESCE(attempt_count, 0) < %s AND used_date IS NULL RETURNING attempt_count",
            (latest.id, MAX_ATTEMPTS),
        )
        row = self.env.cr.fetchone()
        latest.invalidate_recordset(['attempt_count'])
        if not row:
            raise UserError(self.env._("Too many wrong codes. Ask for a new code."))
        if not email_codes.verify_code(code, latest.sudo().code_hash):
            left = MAX_ATTEMPTS - row[0]
            _logger.info("Public link code: WRONG for %s (%s left)", document, left)
            if not left:
                raise UserError(self.env._("Wrong code. Too many wrong codes: ask for a new code."))
            if left == 1:
                raise UserError(self.env._("Wrong code. You have 1 more try."))
            raise UserError(self.env._("Wrong code. You have %(count)s more tries.", count=left))
        # Single use: of two requests with the same code, only one passes.
        self.env.cr.execute(
            "UPDATE customer_portal_identity_code SET used_date = NOW() AT TIME ZONE 'UTC' "
            "WHERE id = %s AND used_date IS NULL",
            (latest.id,),
        )
        latest.invalidate_recordset(['used_date'])
        if self.env.cr.rowcount != 1:
            raise UserError(self.env._("This code has expired or was already used. Ask for a new code."))
        _logger.info("Public link code: VERIFIED for %s", document)
        return True

    # ------------------------------------------------------------
    # What the locked page shows
    # ------------------------------------------------------------

    @api.model
    def _get_summary_values(self, document, access_token):
        """What a visitor reads before the code: number, amount due, due date, business, the
        masked address the code goes to, and the Pay link (paying needs no code)."""
        document_sudo = document.sudo()
        email, _partner, _link = self._get_recipient(document_sudo, access_token)
        if document_sudo._name == 'account.move':
            amount, due_date = document_sudo.amount_residual, document_sudo.invoice_date_due
        else:
            amount, due_date = document_sudo.amount_total, document_sudo.validity_date
        return {
            'identity_document': document_sudo,
            'identity_number': document_sudo.name,
            'identity_amount': amount,
            'identity_currency': document_sudo.currency_id,
            'identity_due_date': due_date,
            'identity_is_invoice': document_sudo._name == 'account.move',
            'identity_company': document_sudo.company_id,
            'identity_email': self.env['res.partner']._portal_mask_email(email),
            'identity_pay_url': self._get_pay_url(document_sudo),
            'access_token': access_token,
        }

    @api.model
    def _get_pay_url(self, document_sudo):
        """A payment link (/payment/pay) of what is due on the document, or '' when nothing is."""
        currency = document_sudo.currency_id
        if document_sudo._name == 'account.move':
            if document_sudo.state != 'posted' or not document_sudo._has_to_be_paid():
                return ''
            amount, partner, key = document_sudo.amount_residual, document_sudo.partner_id, 'invoice_id'
        else:
            if not document_sudo._has_to_be_paid():
                return ''
            amount = document_sudo.amount_total - document_sudo.amount_paid
            partner, key = document_sudo.partner_invoice_id, 'sale_order_id'
        amount = currency.round(amount)
        if currency.compare_amounts(amount, 0) <= 0:
            return ''
        token = payment_utils.generate_access_token(partner.id, amount, currency.id)
        return f'/payment/pay?{key}={document_sudo.id}&amount={amount}&access_token={token}'

    @api.autovacuum
    def _gc_codes(self):
        self.search([('create_date', '<', fields.Datetime.now() - timedelta(days=1))]).unlink()

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""What a document or payment access token sent by a browser may look like.

Odoo compares tokens with ``hmac.compare_digest``, which raises TypeError on a str holding
non-ASCII characters and on anything that is not a str or bytes: such a value must be read as a
wrong token before it reaches the comparison.
"""

import re

# The request parameters that carry a token compared by stock routes and ours: a document's
# ``access_token`` (uuid4, 36 characters) and the ``payment_token`` of an amount (64 hex digits).
TOKEN_PARAMS = ('access_token', 'payment_token')
# Far above any token Odoo makes, far below what a comparison should ever read.
MAX_TOKEN_LENGTH = 256

_TOKEN_RE = re.compile(r'[\x21-\x7e]{1,%d}' % MAX_TOKEN_LENGTH)


def is_well_formed_token(value):
    """True for a str of 1 to MAX_TOKEN_LENGTH printable ASCII characters without spaces.

    Anything else (non-ASCII, control characters, too long, a number, a list, a dict, None)
    cannot be a token of ours and is compared with nothing.
    """
    return isinstance(value, str) and bool(_TOKEN_RE.fullmatch(value))

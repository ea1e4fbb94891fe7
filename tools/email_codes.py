# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""One-time codes sent by email (P14, security.md "Codes sent by email"): 6 digits from `secrets`,
kept only as a salted hash made and checked like the backup codes (tools/backup_codes.py)."""

import re
import secrets

from .backup_codes import CRYPT_CONTEXT, verify_normalized

CODE_LENGTH = 6
MAX_INPUT_LENGTH = 32

_CODE_RE = re.compile(r'[0-9]{%d}' % CODE_LENGTH)


def generate_code():
    """A new code of CODE_LENGTH digits, leading zeros included."""
    return f'{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}'


def normalize_code(code):
    """The code without spaces and hyphens, or None when it cannot be a code."""
    if not isinstance(code, str) or len(code) > MAX_INPUT_LENGTH:
        return None
    code = re.sub(r'[\s-]', '', code)
    return code if code.isascii() and _CODE_RE.fullmatch(code) else None


def hash_code(code):
    normalized = normalize_code(code)
    if normalized is None:
        raise ValueError("Not a code")
    return CRYPT_CONTEXT.hash(normalized)


def verify_code(code, code_hash):
    """Whether ``code`` (as typed) is the one hashed in ``code_hash`` (in constant time)."""
    return verify_normalized(normalize_code(code), code_hash)

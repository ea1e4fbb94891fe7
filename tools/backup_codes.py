# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Single-use backup codes for the second factor (M2), stored only as salted hashes."""

import re
import secrets

from passlib.context import CryptContext

CODE_COUNT = 10
CODE_LENGTH = 10
# Crockford's base32 alphabet: 32 symbols (5 bits each, 50 bits per code), no I, L, O or U
# to misread.
ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'
MAX_INPUT_LENGTH = 64

# The codes are random, not chosen by people: a moderate work factor is enough against
# offline guessing of 50 bits and keeps checking ten hashes per sign-in fast.
CRYPT_CONTEXT = CryptContext(['pbkdf2_sha512'], pbkdf2_sha512__rounds=6000)

_CODE_RE = re.compile('[%s]{%d}' % (ALPHABET, CODE_LENGTH))
# What people type for the symbols Crockford's alphabet leaves out.
_LOOKALIKES = str.maketrans({'o': '0', 'i': '1', 'l': '1'})


def generate_codes(count=CODE_COUNT):
    """``count`` new codes, as shown to the user (two groups of five characters)."""
    return [format_code(''.join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))) for _n in range(count)]


def format_code(code):
    half = len(code) // 2
    return f'{code[:half]}-{code[half:]}'


def normalize_code(code):
    """The code without spaces and hyphens, in lower case, or None when it cannot be a code."""
    if not isinstance(code, str) or len(code) > MAX_INPUT_LENGTH:
        return None
    code = re.sub(r'[\s-]', '', code).lower().translate(_LOOKALIKES)
    return code if _CODE_RE.fullmatch(code) else None


def hash_code(code):
    normalized = normalize_code(code)
    if normalized is None:
        raise ValueError("Not a backup code")
    return CRYPT_CONTEXT.hash(normalized)


def verify_code(code, code_hash):
    """Whether ``code`` (as typed) is the one hashed in ``code_hash``."""
    return verify_normalized(normalize_code(code), code_hash)


def verify_normalized(normalized, code_hash):
    """Whether ``normalized`` (a code as its module's normalize_code() gives it, or None) is the one hashed in
    ``code_hash``; passlib compares the digests in constant time (hmac.compare_digest). Shared with the
    codes sent by email (tools/email_codes.py)."""
    if normalized is None or not code_hash:
        return False
    try:
        return CRYPT_CONTEXT.verify(normalized, code_hash)
    except (ValueError, TypeError):
        return False

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Time-based one-time passwords (RFC 6238) for the authenticator-app sign-in (M1, M3).

Plain helpers without Odoo: the models decide what a matched step means (replay, throttling).
"""

import base64
import hashlib
import hmac
import re
import secrets
import time

import pyotp

# 160 bits, as RFC 4226 section 4 (R6) recommends; what Odoo's auth_totp uses as well.
SECRET_BYTES = 20
DIGITS = 6
TIMESTEP = 30
# One step of clock drift either side of the current one, nothing more.
WINDOW = 1
# Longer input is refused before any processing, whatever it holds.
MAX_INPUT_LENGTH = 64

_CODE_RE = re.compile(r'[0-9]{%d}' % DIGITS)
_SECRET_RE = re.compile(r'[A-Z2-7]{32}')


def generate_secret():
    """A new base32 secret (160 bits from the operating system's CSPRNG)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode('ascii')


def is_valid_secret(secret):
    return isinstance(secret, str) and bool(_SECRET_RE.fullmatch(secret))


def format_secret(secret):
    """The secret in groups of four characters, for typing it into an app by hand."""
    return ' '.join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalize_code(code):
    """The code as 6 ASCII digits, or None when the input is anything else.

    Only spaces are removed: ``int()`` would also take signs, underscores and non-ASCII digits.
    """
    if not isinstance(code, str) or len(code) > MAX_INPUT_LENGTH:
        return None
    code = code.replace(' ', '')
    return code if _CODE_RE.fullmatch(code) else None


def _totp(secret):
    return pyotp.TOTP(secret, digits=DIGITS, digest=hashlib.sha1, interval=TIMESTEP)


def time_step(t=None):
    """The RFC 6238 counter of time ``t`` (seconds since the epoch, now by default)."""
    return int((time.time() if t is None else t) // TIMESTEP)


def code_at_step(secret, step):
    return _totp(secret).generate_otp(step)


def current_code(secret, t=None):
    return code_at_step(secret, time_step(t))


def match(secret, code, t=None, window=WINDOW):
    """The time step whose code is ``code`` within ``window`` steps of ``t``, or None.

    The latest matching step wins, so that a replay check on it is as strict as possible.
    """
    code = normalize_code(code)
    if code is None or not is_valid_secret(secret):
        return None
    now = time_step(t)
    matched = None
    for step in range(now - window, now + window + 1):
        if hmac.compare_digest(code_at_step(secret, step), code):
            matched = step
    return matched


def provisioning_uri(secret, account, issuer):
    """The otpauth:// URI that authenticator apps read from the QR code."""
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)

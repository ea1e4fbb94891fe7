# Part of customer_portal. See LICENSE file for full copyright and licensing details.
import base64
import re

from odoo.tests import BaseCase, tagged

from ..tools import backup_codes, qr, totp
from .common_mfa import HOSTILE_CODES as HOSTILE_CODE_STRINGS

# RFC 6238 appendix B: SHA1 seed "12345678901234567890", 8-digit codes; a 6-digit code is the
# last six digits of the 8-digit one (both are the same number modulo a power of ten).
RFC6238_SECRET = base64.b32encode(b'12345678901234567890').decode()
RFC6238_VECTORS = [
    (59, '94287082'),
    (1111111109, '07081804'),
    (1111111111, '14050471'),
    (1234567890, '89005924'),
    (2000000000, '69279037'),
    (20000000000, '65353130'),
]
# The codes the sign-in pages refuse, and values no form sends but a caller of the tools might.
HOSTILE_CODES = [*HOSTILE_CODE_STRINGS, None, 123456, ['123456'], {'code': '123456'}]


@tagged('post_install', '-at_install')
class TestMfaTools(BaseCase):
    def test_rfc6238_vectors(self):
        """The codes of RFC 6238's test vectors."""
        for t, code8 in RFC6238_VECTORS:
            with self.subTest(t=t):
                self.assertEqual(totp.current_code(RFC6238_SECRET, t), code8[-6:])
                self.assertEqual(totp.match(RFC6238_SECRET, code8[-6:], t=t), t // 30)

    def test_window_one_step_either_side(self):
        """A code of the previous or next 30-second step is accepted, no further."""
        t = 1111111109
        step = t // 30
        for delta in (-1, 0, 1):
            code = totp.code_at_step(RFC6238_SECRET, step + delta)
            self.assertEqual(totp.match(RFC6238_SECRET, code, t=t), step + delta)
        for delta in (-2, 2):
            code = totp.code_at_step(RFC6238_SECRET, step + delta)
            self.assertIsNone(totp.match(RFC6238_SECRET, code, t=t), "only one step of drift is accepted")

    def test_code_normalisation(self):
        """Spaces around and inside a code are ignored; anything but 6 digits is refused."""
        self.assertEqual(totp.normalize_code('123 456'), '123456')
        self.assertEqual(totp.normalize_code(' 123456 '), '123456')
        for code in HOSTILE_CODES:
            with self.subTest(code=repr(code)[:40]):
                self.assertIsNone(totp.normalize_code(code))
                self.assertIsNone(totp.match(RFC6238_SECRET, code, t=59))

    def test_secret(self):
        """Secrets are random 160-bit base32 strings."""
        secrets_made = {totp.generate_secret() for _i in range(50)}
        self.assertEqual(len(secrets_made), 50)
        for secret in secrets_made:
            self.assertTrue(totp.is_valid_secret(secret))
            self.assertEqual(len(base64.b32decode(secret)), 20, "160-bit secret")
        self.assertFalse(totp.is_valid_secret('ABCD'))
        self.assertFalse(totp.is_valid_secret(None))
        self.assertEqual(totp.format_secret('ABCDEFGH'), 'ABCD EFGH')
        uri = totp.provisioning_uri(RFC6238_SECRET, 'jane@example.com', 'My Company')
        self.assertTrue(uri.startswith('otpauth://totp/My%20Company:jane%40example.com?'))
        self.assertIn('secret=' + RFC6238_SECRET, uri)
        self.assertIn('issuer=My%20Company', uri)

    def test_backup_codes(self):
        """Ten distinct backup codes of at least 10 characters."""
        codes = backup_codes.generate_codes()
        self.assertEqual(len(codes), 10)
        self.assertEqual(len(set(codes)), 10)
        for code in codes:
            self.assertGreaterEqual(len(backup_codes.normalize_code(code)), 10)
            self.assertRegex(code, r'^[0-9a-z]{5}-[0-9a-z]{5}$')
        code = codes[0]
        code_hash = backup_codes.hash_code(code)
        self.assertTrue(code_hash.startswith('$pbkdf2-sha512$'))
        self.assertNotIn(code.replace('-', ''), code_hash)
        self.assertNotEqual(code_hash, backup_codes.hash_code(code), "salted: two hashes of one code differ")
        # spaces, hyphens and case are normalised
        for typed in (code, code.upper(), code.replace('-', ''), code.replace('-', ' '), f' {code[:3]} {code[3:]} '):
            self.assertTrue(backup_codes.verify_code(typed, code_hash), typed)
        self.assertFalse(backup_codes.verify_code(codes[1], code_hash))
        for hostile in HOSTILE_CODES:
            self.assertFalse(backup_codes.verify_code(hostile, code_hash))
        self.assertFalse(backup_codes.verify_code(code, 'not a hash'))

    def test_qr_code(self):
        """The QR code as an SVG or PNG data URI."""
        svg = qr.qr_data_uri('otpauth://totp/x?secret=' + RFC6238_SECRET)
        self.assertTrue(svg.startswith('data:image/svg+xml;base64,'))
        self.assertIn(b'<svg', base64.b64decode(svg.split(',', 1)[1]))
        png = qr.qr_data_uri('otpauth://totp/x', 'png')
        self.assertTrue(base64.b64decode(png.split(',', 1)[1]).startswith(b'\x89PNG'))
        self.assertTrue(re.match(r'^data:image/png;base64,[A-Za-z0-9+/=]+$', png))

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""Translations (issue 15): the .pot is what Odoo's exporter finds in the installed addon, each
language file translates all of it and keeps its placeholders, and a French customer reads French
on every page of ours, in the statement PDF and on the second-factor pages."""

import re
import tempfile
from collections import Counter
from pathlib import Path
from unittest.mock import patch

import polib
from lxml import etree, html

from odoo.modules.module import get_module_path
from odoo.tests import BaseCase, TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

import odoo.addons

from .common_mfa import SECRET_RE, totp_code
from .common_portal_account import PortalAccountCommon

MODULE = 'customer_portal'
# The languages we ship, with the Plural-Forms header of Odoo's own files for them.
LANGUAGES = {
    'fr': "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;",
    'es': "nplurals=3; plural=n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;",
    'de': "nplurals=2; plural=(n != 1);",
}
HINT = "run `make pot` and translate the new msgids in i18n/*.po"
# Placeholders a translation must keep: %s, %(name)s, {name}, and the dynamic parts of QWeb terms.
PLACEHOLDER_RE = re.compile(r'%\(\w+\)[sdf]|%[sdf]|\{\w*\}')
# Attributes of a QWeb term that are text to translate; every other attribute must stay as it is.
TRANSLATED_ATTRIBUTES = {'title', 'alt', 'placeholder', 'aria-label', 'label', 'string', 'value', 'data-tooltip'}
# Attributes stock's own French leaves in English (account/i18n/fr.po, the status icons of stock's
# /my/invoices, account.portal_my_invoices): not ours, though "Paid" is one of our msgids too.
STOCK_ENGLISH_ATTRIBUTES = {
    ('aria-label', 'Paid'),
    ('aria-label', 'Reversed'),
    ('aria-label', 'Cancelled'),
    ('aria-label', 'Opened'),
}
# Top-level entries of the addon that are not code to scan (as scripts/pot.py, through portalctl's view).
NOT_ADDON = {'__pycache__', 'build', 'dist', 'node_modules'}


def i18n_path(name):
    return Path(get_module_path(MODULE)) / 'i18n' / name


def exported_terms(cr, lang=None):
    """The terms Odoo's exporter (TranslationModuleReader, as `--i18n-export`) finds for the addon:
    {msgid: the set of their translations in ``lang`` in the database ('' where there is none)}.

    Its walk of the code follows links through every addons path and counts each file as the module of
    the first folder under its addons path: it is given a folder of links to the addon's own top-level
    entries only (as scripts/pot.py does), so that it never walks what a checkout holds beside the code
    (`.data/`: a PostgreSQL cluster, and a link back to the checkout) nor other addons (`bridges/`)."""
    module_path = Path(get_module_path(MODULE))
    with tempfile.TemporaryDirectory() as tmp:
        view = Path(tmp) / MODULE
        view.mkdir()
        for entry in module_path.iterdir():
            if entry.name.startswith('.') or entry.name in NOT_ADDON:
                continue
            if not (entry.is_dir() and any(entry.glob('*/__manifest__.py'))):
                (view / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
        with patch.object(odoo.addons, '__path__', [tmp]):
            reader = TranslationModuleReader(cr, modules=[MODULE], lang=lang)
            terms = {}
            for _module, _type, _name, _res_id, source, value, _comments in reader:
                terms.setdefault(source, set()).add(value or '')
            return terms


def term_text(entry, value):
    """What a reader sees of a msgid or msgstr: QWeb terms without their markup, whitespace collapsed."""
    if any(occurrence.startswith('model_terms:') for occurrence, _line in entry.occurrences):
        value = html.fragment_fromstring(value, create_parent='div').text_content()
    return ' '.join(value.split())


def markup(value):
    """The elements of a QWeb term with their untranslated attributes, in any order."""
    root = html.fragment_fromstring(value, create_parent='div')
    return Counter(
        (node.tag, tuple(sorted((k, v) for k, v in node.attrib.items() if k not in TRANSLATED_ATTRIBUTES)))
        for node in root.iterdescendants()
    )


class TestI18nFiles(BaseCase):
    """Each i18n/<lang>.po translates every msgid of the .pot, completely and keeping what the code needs."""

    def test_po_files_complete(self):
        pot = polib.pofile(str(i18n_path(f'{MODULE}.pot')))
        self.assertGreater(len(pot), 100, "the .pot holds the addon's terms")
        msgids = {entry.msgid for entry in pot}
        for lang, plural_forms in LANGUAGES.items():
            with self.subTest(lang=lang):
                po = polib.pofile(str(i18n_path(f'{lang}.po')))
                self.assertEqual(po.metadata.get('Language'), lang)
                self.assertEqual(po.metadata.get('Plural-Forms'), plural_forms)
                self.assertEqual(po.metadata.get('Content-Type'), 'text/plain; charset=UTF-8')
                entries = [entry for entry in po if not entry.obsolete]
                self.assertEqual(
                    sorted({entry.msgid for entry in entries} ^ msgids),
                    [],
                    f"{lang}.po and the .pot hold the same msgids: {HINT}",
                )
                self.assertEqual([e.msgid for e in entries if not e.msgstr.strip()], [], f"untranslated: {HINT}")
                self.assertEqual([e.msgid for e in entries if 'fuzzy' in e.flags], [], "fuzzy entries")
                for entry in entries:
                    self.assertEqual(
                        Counter(PLACEHOLDER_RE.findall(entry.msgstr)),
                        Counter(PLACEHOLDER_RE.findall(entry.msgid)),
                        f"{lang}.po keeps the placeholders of {entry.msgid!r}",
                    )
                    if any(occ.startswith('model_terms:') for occ, _line in entry.occurrences) and '<' in entry.msgid:
                        self.assertEqual(
                            markup(entry.msgstr), markup(entry.msgid), f"{lang}.po keeps the markup of {entry.msgid!r}"
                        )
                    if '<t ' in entry.msgid:  # mail templates: the same t-out/t-if, in the same order
                        self.assertEqual(
                            re.findall(r'<t [^>]*>', entry.msgstr),
                            re.findall(r'<t [^>]*>', entry.msgid),
                            f"{lang}.po keeps the QWeb directives of {entry.msgid[:60]!r}",
                        )


@tagged('post_install', '-at_install')
class TestI18nPotCurrent(TransactionCase):
    """i18n/customer_portal.pot holds exactly what Odoo's exporter finds in the installed addon: a new
    string without a translation fails here, not in front of a customer."""

    def test_pot_is_current(self):
        exported = set(exported_terms(self.env.cr))
        pot = {entry.msgid for entry in polib.pofile(str(i18n_path(f'{MODULE}.pot')))}
        missing, extra = sorted(exported - pot), sorted(pot - exported)
        if missing or extra:
            self.fail(
                f"i18n/{MODULE}.pot is not current: {HINT}.\n"
                f"  msgids of the addon missing from the .pot ({len(missing)}):\n"
                + ''.join(f"    {msgid!r}\n" for msgid in missing)
                + f"  msgids of the .pot the addon no longer has ({len(extra)}):\n"
                + ''.join(f"    {msgid!r}\n" for msgid in extra)
            )


@tagged('post_install', '-at_install')
class TestI18nLoaded(TransactionCase):
    """Each language file, loaded as Odoo loads it for a new language, translates every term of ours in
    the database: read back by the exporter, each term holds the file's translation (Odoo drops a
    translation of a view term whose markup does not match, silently)."""

    def test_translations_loaded(self):
        for lang in ('fr_FR', 'es_ES', 'de_DE'):
            with self.subTest(lang=lang):
                self.env['res.lang']._activate_lang(lang)
                self.env['ir.module.module']._load_module_terms([MODULE], [lang], overwrite=True)
                po = polib.pofile(str(i18n_path(f"{lang.split('_')[0]}.po")))
                expected = {entry.msgid: entry.msgstr for entry in po if entry.msgstr != entry.msgid}
                loaded = exported_terms(self.env.cr, lang)
                wrong = sorted(msgid for msgid, msgstr in expected.items() if loaded.get(msgid, {msgstr}) != {msgstr})
                self.assertEqual(wrong, [], f"terms of ours not translated in {lang} once its file is loaded")


@tagged('post_install', '-at_install')
class TestI18nFrenchCustomer(PortalAccountCommon):
    """A customer whose language is French sees none of our English text: each of our msgids whose French
    differs is looked for in the page (visible text and the attributes read aloud), and French is there."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['res.lang']._activate_lang('fr_FR')
        # As Settings > Languages does for a new language: the terms of every installed module.
        installed = cls.env['ir.module.module'].search([('state', '=', 'installed')]).mapped('name')
        cls.env['ir.module.module']._load_module_terms(installed, ['fr_FR'], overwrite=True)
        (cls.customer | cls.contact_a).lang = 'fr_FR'
        cls.english_patterns, french_texts = [], set()
        for entry in polib.pofile(str(i18n_path('fr.po'))):
            english, french = term_text(entry, entry.msgid), term_text(entry, entry.msgstr)
            french_texts.add(french)
            if not english or english.lower() == french.lower():
                continue  # "Date", "Total", "Transaction": the same word in French
            pattern = re.escape(english)
            for placeholder in set(PLACEHOLDER_RE.findall(pattern)):
                pattern = pattern.replace(re.escape(placeholder), '.+?')
            cls.english_patterns.append((english, re.compile(rf'(?<!\w){pattern}(?!\w)')))
        # Our French, longest first, is taken out of a page before the English is looked for: "Balance
        # âgée" is French, not the English "Balance".
        cls.french_texts = sorted((text for text in french_texts if text), key=len, reverse=True)
        # Records' names and addresses are data, in the language they were typed in ("Manual Payment",
        # "1 Main Street").
        partners = cls.customer | cls.customer.child_ids
        cls.data_texts = [
            text
            for text in cls.env['account.payment.method.line'].search([]).mapped('name')
            + partners.mapped('name')  # "Acme Customer Co"
            + partners.mapped('street')
            + partners.mapped('street2')
            if text
        ]

    def _visible_text(self, content):
        """The page's text and the attributes a browser shows or reads aloud, whitespace collapsed."""
        tree = html.fromstring(content)
        etree.strip_elements(tree, 'script', 'style', 'template', with_tail=False)
        texts = [' '.join(tree.itertext())]
        for attribute in ('title', 'alt', 'placeholder', 'aria-label', 'data-tooltip'):
            texts += [
                value for value in tree.xpath(f'//@{attribute}') if (attribute, value) not in STOCK_ENGLISH_ATTRIBUTES
            ]
        texts += tree.xpath('//input[@type="submit" or @type="button"]/@value')
        return ' '.join(' '.join(texts).split())

    def _assert_french(self, text, where, expected):
        rest = text
        for french in self.french_texts + self.data_texts:
            rest = rest.replace(french, ' ')
        english = [source for source, pattern in self.english_patterns if pattern.search(rest)]
        self.assertEqual(english, [], f"English text of ours on {where}")
        for french in expected:
            self.assertIn(french, text, f"{where} is in French")

    def _page_text(self, url):
        if url == '/my/account_summary':  # the home's cards, asked by its script (JSON-RPC)
            answer = self._jsonrpc(url, {'counters': []})
            self.assertIn('result', answer, url)
            return self._visible_text(answer['result']['cards'])
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return self._visible_text(response.text)

    def _sign_in(self):
        response = self._login_form(self.portal_user.login, self.portal_user.login)
        self.assertEqual(response.status_code, 200)
        self.assertIn('/my', response.url, "signed in, on the customer's home page")

    def test_customer_pages_in_french(self):
        self._sign_in()
        payment = self.inv2._get_reconciled_payments()[:1]
        pages = {
            '/my': ["Chargement de votre solde et de vos coordonnées"],
            '/my/account_summary': [
                "Récapitulatif du solde",
                "Factures impayées",
                "Solde à payer",
                "Acomptes versés disponibles",
            ],
            '/my/invoices': ["Partiellement réglé", "En retard", "Échues", "Acompte"],
            f'/my/invoices/{self.inv2.id}': [],
            '/my/statement?period=this_year': ["Relevé de compte", "Solde initial", "Plus de 90 jours", "Non échu"],
            '/my/payments': ["Paiements effectués", "Paiements de factures"],
            f'/my/payments/{payment.id}': ["Factures payées", "Montant imputé", "Télécharger le reçu"],
            '/my/credit_notes': ["Avoirs"],
            f'/my/credit_notes/{self.cn1.id}': ["Imputé aux factures", "Crédits restants", "Aucun remboursement."],
            '/my/retainer_invoices': ["Factures d'acompte"],
        }
        for url, expected in pages.items():
            with self.subTest(url=url):
                self._assert_french(self._page_text(url), url, expected)

    def test_statement_pdf_in_french(self):
        """The PDF wkhtmltopdf makes, read back as text: every word of ours on it in French."""
        date_from, date_to = self._day(120).isoformat(), self.today.isoformat()
        text = ' '.join(self._statement_pdf_text(self.customer, date_from, date_to).split())
        self._assert_french(
            text,
            "the statement PDF",
            ["Relevé de compte", "Solde initial", "1 à 30 jours", "31 à 60 jours", "61 à 90 jours", "Plus de 90 jours"],
        )

    def test_mfa_pages_in_french(self):
        """Enrollment, backup codes and the second-factor page, signing in for real (POST /web/login).
        Until the second factor is given, Odoo does not know whose language to speak: as for its own
        login page, the browser's language (Accept-Language) decides; a French customer's says French."""
        self.portal_user.company_id.portal_enforce_mfa = True
        self.opener.headers['Accept-Language'] = 'fr-FR,fr;q=0.9,en;q=0.5'

        def post(url, page, **data):
            return self.url_open(url, data=dict(data, csrf_token=self._csrf_token(page.text)), allow_redirects=False)

        response = post('/web/login', self.url_open('/web/login'), login='acme_alice', password='acme_alice')
        self.assertIn('/web/login/totp/enroll', response.headers.get('Location', ''), "enrollment comes first")
        page = self.url_open('/web/login/totp/enroll')
        self.assertEqual(page.status_code, 200)
        self._assert_french(self._visible_text(page.content), "the enrollment page", ["application d'authentification"])
        secret = SECRET_RE.search(page.text)[1].replace(' ', '')

        response = post('/web/login/totp/enroll', page, totp_token=totp_code(secret))
        self.assertEqual(response.status_code, 200)
        self._assert_french(self._visible_text(response.content), "the backup codes page", ["codes de secours"])
        self._assert_french(self._page_text('/my/security'), "the security page", ["codes de secours"])

        self.url_open('/web/session/logout', allow_redirects=False)
        self.opener.cookies.pop('session_id', None)
        self.env.cr.execute("UPDATE res_users SET totp_last_step = NULL WHERE id = %s", (self.portal_user.id,))
        response = post('/web/login', self.url_open('/web/login'), login='acme_alice', password='acme_alice')
        self.assertIn('/web/login/totp', response.headers.get('Location', ''), "the second factor is asked")
        page = self.url_open('/web/login/totp')
        self.assertEqual(page.status_code, 200)
        self._assert_french(self._visible_text(page.content), "the second-factor page", ["codes de secours"])
        response = post('/web/login/totp', page, totp_token='000000')
        self._assert_french(self._visible_text(response.content), "a wrong code", ["La vérification a échoué"])

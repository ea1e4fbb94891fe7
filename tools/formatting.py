"""Amounts and dates as the QWeb monetary and date widgets write them, with the language and the
currency read once: a statement of thousands of lines spent most of its time formatting cell by
cell in QWeb (issue 16)."""

from markupsafe import Markup

from odoo.tools import format_date, get_lang
from odoo.tools.misc import babel_locale_parse, posix_to_ldml


def amount_formatter(env, currency):
    """A function giving the text of an amount in ``currency`` in the language of ``env``, exactly
    as the monetary widget (ir.qweb.field.monetary) writes it, symbol and all."""
    lang = env['res.lang'].browse(get_lang(env).id)
    fmt = f'%.{currency.decimal_places}f'
    symbol = currency.symbol or ''
    if currency.position == 'before':
        template = Markup('{symbol}\N{NO-BREAK SPACE}<span class="oe_currency_value">{amount}</span>')
    else:
        template = Markup('<span class="oe_currency_value">{amount}</span>\N{NO-BREAK SPACE}{symbol}')

    def format_amount(value):
        text = lang.format(fmt, currency.round(value), grouping=True)
        text = text.replace(' ', '\N{NO-BREAK SPACE}').replace('-', '-\N{ZERO WIDTH NO-BREAK SPACE}')
        return template.format(amount=text, symbol=symbol)

    return format_amount


def date_formatter(env):
    """A function giving the text of a date in the language of ``env`` as the date widget writes it,
    each distinct date formatted once."""
    lang = get_lang(env)
    date_format = posix_to_ldml(lang.date_format, locale=babel_locale_parse(lang.code))
    texts = {}

    def format_day(value):
        if not value:
            return ''
        if value not in texts:
            texts[value] = format_date(env, value, lang_code=lang.code, date_format=date_format)
        return texts[value]

    return format_day

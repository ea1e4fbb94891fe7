"""Amounts and dates as the QWeb monetary and date widgets write them, with the language and the
currency read once: a statement of thousands of lines spent most of its time formatting cell by
cell in QWeb (issue 16)."""

import ast
import datetime

import babel.dates
from markupsafe import Markup, escape

from odoo.tools import float_round, format_date, get_lang
from odoo.tools.misc import babel_locale_parse, posix_to_ldml

from odoo.addons.base.models.res_lang import intersperse


def amount_formatter(env, currency):
    """A function giving the text of an amount in ``currency`` in the language of ``env``, exactly
    as the monetary widget (ir.qweb.field.monetary, through res.lang.format) writes it, symbol and
    all; the language's grouping and the currency are read once, not once per amount."""
    lang = get_lang(env)  # cached data of the language: no query
    grouping, thousands_sep, decimal_point = (
        ast.literal_eval(lang.grouping),
        lang.thousands_sep or '',
        lang.decimal_point,
    )
    fmt, rounding = f'%.{currency.decimal_places}f', currency.rounding
    symbol = escape(currency.symbol or '')
    if currency.position == 'before':
        before, after = f'{symbol}\N{NO-BREAK SPACE}<span class="oe_currency_value">', '</span>'
    else:
        before, after = '<span class="oe_currency_value">', f'</span>\N{NO-BREAK SPACE}{symbol}'

    # Groups of three, as most languages group: Python's own grouping, then the language's separators
    # (the same text as intersperse, at half its cost).
    by_three = grouping in ([3, 0], [3])
    grouped_fmt, separators = f',.{currency.decimal_places}f', str.maketrans({',': thousands_sep, '.': decimal_point})

    def format_amount(value):
        steps = value / rounding
        if abs(steps - round(steps)) > 1e-6:
            value = float_round(value, precision_rounding=rounding)
        else:  # at the currency's rounding already (sums of amounts): float_round would change nothing but -0.0
            value += 0.0
        if by_three:
            text = format(value, grouped_fmt).translate(separators)
        else:
            parts = (fmt % value).split('.')
            parts[0] = intersperse(parts[0], grouping, thousands_sep)[0]
            text = decimal_point.join(parts)
        text = text.replace(' ', '\N{NO-BREAK SPACE}').replace('-', '-\N{ZERO WIDTH NO-BREAK SPACE}')
        return Markup(f'{before}{escape(text)}{after}')

    return format_amount


def date_formatter(env):
    """A function giving the text of a date in the language of ``env`` as the date widget writes it
    (odoo.tools.format_date: babel's format_date with the language's pattern), each distinct date
    formatted once, with the language, its locale and its pattern read once: format_date reads them
    for each date (a statement of three years has a thousand dates)."""
    lang = get_lang(env)
    locale = babel_locale_parse(lang.code)
    pattern = babel.dates.parse_pattern(posix_to_ldml(lang.date_format, locale=locale))
    texts = {}

    def format_day(value):
        if not value:
            return ''
        if value not in texts:
            if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
                texts[value] = pattern.apply(value, locale)
            else:  # a string or a datetime: format_date converts it (time zone) as the widget does
                texts[value] = format_date(env, value, lang_code=lang.code, date_format=pattern.pattern)
        return texts[value]

    return format_day

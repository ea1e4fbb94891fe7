# Part of customer_portal. See LICENSE file for full copyright and licensing details.
from odoo.http import request


def request_cached(key, compute):
    """``compute()``, worked out once per request: the home's counters and cards each ask for the customer's
    contacts and the sections shown, several times in one request. Kept on the request object, so it goes
    with the request (not on its cursor: a test's cursor lives across its HTTP requests). Only for what a
    route does not change before asking again: the user, who is part of every key, and the customer
    company's contacts and switches."""
    cache = getattr(request, '_customer_portal_cache', None)
    if cache is None:
        cache = request._customer_portal_cache = {}
    key = (request.env.uid, key)
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def get_customer_ledger_partner_ids():
    """Ids of the caller's customer company and all its contacts, archived included (res.partner
    ``_get_portal_ledger_partner_ids``), read once per request: the home asks for them in three counters and
    in its cards."""
    customer_sudo = request.env.user.partner_id.commercial_partner_id.sudo()  # sudo: archived contacts too
    return request_cached('ledger_partner_ids', customer_sudo._get_portal_ledger_partner_ids)

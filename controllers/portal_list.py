from odoo.osv import expression

from odoo.addons.portal.controllers import portal
from odoo.addons.portal.controllers.portal import pager as portal_pager


def _parse_page(page):
    """The page number of a list: the route's integer, or ASCII digits of the query string; else 1.
    why: the pager int()s anything str.isdigit() accepts, and "²" is a digit that int() refuses (a 500)."""
    if isinstance(page, str) and page.isascii() and page.isdigit() and len(page) <= 9:
        return int(page)
    return page if isinstance(page, int) and not isinstance(page, bool) else 1


def _drop_unknown_keys(kw, **known):
    """Remove from ``kw`` each search-bar parameter (sortby=..., groupby=...) whose value is not one of its
    ``known`` keys, and search text holding a NUL: stock list pages look the key up in their dict (KeyError)
    and PostgreSQL refuses a NUL: both a 500. The page then takes its default."""
    for name, keys in known.items():
        if name in kw and not (isinstance(kw[name], str) and kw[name] in keys):
            del kw[name]
    if 'search' in kw and not (isinstance(kw['search'], str) and '\x00' not in kw['search']):
        del kw['search']
    return kw


class CustomerPortal(portal.CustomerPortal):
    """One helper behind our list pages (retainer invoices, credit notes, payments made), as sale's
    ``_prepare_sale_portal_rendering_values`` serves /my/quotes and /my/orders."""

    def _prepare_portal_list_values(
        self,
        records,
        domain,
        url,
        page=1,
        sortby=None,
        filterby=None,
        searchbar_sortings=None,
        searchbar_filters=None,
        default_sortby='date',
        default_filterby='all',
        url_args=None,
    ):
        """The values of a list page: one page of ``records`` (an empty recordset of the model, sudo
        or not) matching ``domain`` and the chosen filter, in the chosen order, with the pager, the
        sortings and the filters of the search bar. Unknown sort or filter keys fall back to the
        defaults; ``url_args`` are kept in the links of the pager (tabs...).

        :return: dict of layout values with ``records``, ``pager``, ``default_url``, ``sortby``,
            ``searchbar_sortings`` and, with filters, ``filterby`` and ``searchbar_filters``
        """
        searchbar_sortings = searchbar_sortings or {}
        sortby = sortby if sortby in searchbar_sortings else default_sortby
        url_args = {**(url_args or {}), 'sortby': sortby}
        if searchbar_filters:
            filterby = filterby if filterby in searchbar_filters else default_filterby
            domain = expression.AND([domain, searchbar_filters[filterby]['domain']])
            url_args['filterby'] = filterby
        pager = portal_pager(
            url=url,
            url_args=url_args,
            total=records.search_count(domain),
            page=_parse_page(page),
            step=self._items_per_page,
        )
        order = searchbar_sortings[sortby]['order'] if sortby in searchbar_sortings else None
        values = self._prepare_portal_layout_values()
        values.update(
            {
                'records': records.search(domain, order=order, limit=self._items_per_page, offset=pager['offset']),
                'pager': pager,
                'default_url': url,
                'searchbar_sortings': searchbar_sortings,
                'sortby': sortby,
            }
        )
        if searchbar_filters:
            values.update({'searchbar_filters': searchbar_filters, 'filterby': filterby})
        return values

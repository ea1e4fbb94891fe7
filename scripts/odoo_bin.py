#!/usr/bin/env python3
# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""odoo-bin for every command of scripts/ (portalctl run/test/stock-tests, bench): Odoo's own odoo-bin,
plus a fix for its websocket process under prefork.

Prefork (--workers N) starts its websocket (gevent) process by running `sys.executable sys.argv[0] gevent`.
Started as `python3 -m odoo`, sys.argv[0] is odoo/__main__.py, which cannot run as a script (relative
import): the process died at once and Odoo respawned it about ten times a second. Started from this file,
it runs this file again.

In that process, gevent calls its plugins through pkg_resources, which first checks gevent's own
requirements; the pkg_resources of setuptools < 70 cannot find zope.interface / zope.event installed under
their normalized names (zope_interface-*.dist-info) and raised, so the process died too, and newer Pythons'
virtual environments have no pkg_resources at all. Here the plugins are called through importlib.metadata.
"""

import os
import sys

os.environ['TZ'] = 'UTC'  # as Odoo's odoo-bin: the server runs in UTC

if len(sys.argv) > 1 and sys.argv[1] == 'gevent':
    from importlib.metadata import entry_points

    import gevent.events

    def notify_and_call_entry_points(event):
        gevent.events.notify(event)
        for plugin in entry_points(group=event.ENTRY_POINT_NAME):
            plugin.load()(event)

    gevent.events.notify_and_call_entry_points = notify_and_call_entry_points

import odoo  # noqa: E402

if __name__ == '__main__':
    odoo.cli.main()

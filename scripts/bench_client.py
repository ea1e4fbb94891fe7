# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""The benchmark's HTTP client: a customer signing in through the login form (and the authenticator-code
form), timed GETs, JSON-RPC calls."""

import math
import re
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from bench_settings import PAGE_BUDGET, PASSWORD


def csrf_token(html):
    match = re.search(r'name="csrf_token"\s+value="([^"]+)"', html)
    return match and match[1]


def sign_in(url, login, secret=None):
    """Sign in through the login form (and the authenticator-code form); returns the session."""
    import requests  # noqa: PLC0415

    session = requests.Session()
    page = session.get(url + '/web/login?redirect=/my', timeout=60)
    answer = session.post(
        url + '/web/login',
        timeout=60,
        data={'login': login, 'password': PASSWORD, 'csrf_token': csrf_token(page.text), 'redirect': '/my'},
    )
    if secret:
        if '/web/login/totp' not in answer.url:
            raise RuntimeError(f"{login}: no authenticator step ({answer.url})")
        import pyotp  # noqa: PLC0415

        answer = session.post(
            url + '/web/login/totp',
            timeout=60,
            data={'totp_token': pyotp.TOTP(secret).now(), 'csrf_token': csrf_token(answer.text), 'redirect': '/my'},
        )
    if answer.status_code != 200 or not answer.url.endswith('/my'):
        raise RuntimeError(f"{login}: sign-in ended on {answer.status_code} {answer.url}")
    return session


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float('nan')
    k = (len(values) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (k - low)


def get_page(session, url, timeout):
    """GET ``url`` alone."""
    return session.get(url, timeout=timeout)


def get_as_browser(session, url, timeout):
    """GET ``url`` and, at once, what the page's scripts ask for once it is shown, as a browser does. Stock's
    home: the counters of its cards (portal.js: up to 3 concurrent /my/counters calls of about 5 counters
    each). Our customer's home: its counters and cards in one call (the placeholder's data-url). Returns
    the page's answer, or the first answer that is not a 200 or is a JSON-RPC error."""
    page = session.get(url, timeout=timeout)
    if page.status_code != 200:
        return page
    base = url[: url.index('/', url.index('//') + 2)]
    counters = re.findall(r'data-placeholder_count="([^"]+)"', page.text)
    placeholder = re.search(r'<div[^>]*\bo_cp_home_account_placeholder\b[^>]*>', page.text)
    calls = []

    def rpc(route, params):
        data = {'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': params}
        return lambda: session.post(base + route, json=data, timeout=timeout)

    if placeholder:
        calls.append(rpc(re.search(r'data-url="([^"]+)"', placeholder[0])[1], {'counters': counters}))
    elif counters:
        per_call = math.ceil(len(counters) / min(math.ceil(len(counters) / 5), 3))
        for start in range(0, len(counters), per_call):
            calls.append(rpc('/my/counters', {'counters': counters[start : start + per_call]}))
    with ThreadPoolExecutor(max_workers=max(len(calls), 1)) as executor:
        answers = list(executor.map(lambda call: call(), calls))
    for answer in answers:
        if answer.status_code != 200 or 'error' in answer.json():
            answer.status_code = answer.status_code if answer.status_code != 200 else 500
            return answer
    return page


def time_requests(targets, n, warmup=3, timeout=300, get=get_page):
    """Time one page on several servers in turn, request by request: ``targets`` is {kind: (session, url)}.
    Each is warmed up, then the n rounds alternate their order (stock, ours; ours, stock; ...), so that the
    machine's drift weighs on all alike. Fewer rounds when the page is slow: at most ~PAGE_BUDGET seconds, at
    least 5, or 1 when one request takes more than 30 s. ``get(session, url, timeout)`` replaces the plain GET.
    Returns {kind: {'median', 'p95', 'n', 'bytes'} or {'error', 'n'}}."""
    import requests  # noqa: PLC0415

    kinds = list(targets)
    results = {}
    times = {kind: [] for kind in kinds}
    sizes = dict.fromkeys(kinds, 0)

    def one(kind):
        session, url = targets[kind]
        started = time.perf_counter()
        try:
            answer = get(session, url, timeout)
        except requests.RequestException as e:
            results[kind] = {'error': f"{type(e).__name__} after {time.perf_counter() - started:.0f} s"}
            return None
        elapsed = time.perf_counter() - started
        if answer.status_code != 200:
            results[kind] = {'error': f"HTTP {answer.status_code} after {elapsed:.0f} s"}
            return None
        sizes[kind] = len(answer.content)
        return elapsed

    slowest = 0
    for kind in kinds:
        for _ in range(warmup):
            first = one(kind)
            if first is None:
                break
        slowest = max(slowest, first or 0)
    if slowest * n * len(kinds) > PAGE_BUDGET:
        n = max(5 if slowest < 30 else 1, int(PAGE_BUDGET / (slowest * len(kinds))))
    for round_ in range(n):
        for kind in kinds if round_ % 2 == 0 else kinds[::-1]:
            if kind not in results:
                elapsed = one(kind)
                if elapsed is not None:
                    times[kind].append(elapsed)
    for kind in kinds:
        if kind in results:
            results[kind]['n'] = len(times[kind])
        else:
            found = times[kind]
            results[kind] = {
                'median': statistics.median(found),
                'p95': percentile(found, 95),
                'n': len(found),
                'bytes': sizes[kind],
            }
    return results


def jsonrpc(session, url, params):
    answer = session.post(url, json={'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': params}, timeout=300)
    data = answer.json()
    if 'error' in data:
        raise RuntimeError(f"{url}: {data['error'].get('data', {}).get('message') or data['error']}")
    return data['result']


def as_browser_behind_proxy(session, gate=None):
    """The session as the concurrent run uses it (issue 16): a connection refused or reset before any
    answer is retried, with backoff, as browsers (and a reverse proxy such as nginx, proxy_next_upstream)
    do for a GET, and for the home's counters (a POST that only reads). Odoo's prefork listens with a
    backlog of 8 per worker (odoo/service/server.py) and its workers answer HTTP/1.0, one connection per
    request, so 50 customers starting requests at once
    overflow it and the kernel refuses or resets some connections: without a retry each was counted as an
    error although no customer would see one. The time of a retried request counts in its latency, and
    the number of retried requests is reported.

    With ``gate`` (a semaphore shared by the customers' sessions), a request waits for it before it
    connects, as behind a proxy that queues requests beyond a number of connections to Odoo (HAProxy's
    ``maxconn``): no more connections open at once than Odoo's listen backlog holds, so none waits for the
    kernel's SYN retry (1 s, then 3 s). The wait for the gate counts in the latency.
    """
    from requests.adapters import HTTPAdapter  # noqa: PLC0415
    from urllib3.util.retry import Retry  # noqa: PLC0415

    retry = Retry(
        total=4,
        connect=4,
        read=2,
        status=0,
        other=0,
        # The home's counters are a JSON-RPC POST that only reads: a proxy would pass it on as well.
        allowed_methods=frozenset({'GET', 'POST'}),
        backoff_factor=0.2,
        raise_on_status=False,
    )
    adapter_class = HTTPAdapter
    if gate is not None:

        class GatedAdapter(HTTPAdapter):
            def send(self, request, **kw):
                with gate:
                    return super().send(request, **kw)

        adapter_class = GatedAdapter
    session.mount('http://', adapter_class(max_retries=retry))
    return session


def was_retried(response):
    """Whether urllib3 retried the request of ``response`` (as_browser_behind_proxy)."""
    retries = getattr(response.raw, 'retries', None)
    return bool(retries and retries.history)

# Part of customer_portal. See LICENSE file for full copyright and licensing details.
"""The benchmark's HTTP client: a customer signing in through the login form (and the authenticator-code
form), timed GETs, JSON-RPC calls."""

import re
import statistics
import time

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
    """GET ``url`` and what the page's scripts ask for once it is shown, as a browser does: stock's counters
    of the home's cards (one /my/counters call with every counter the page names) and our home's cards (the
    placeholder's data-url). Returns the page's answer, or the first answer that is not a 200."""
    page = session.get(url, timeout=timeout)
    if page.status_code != 200:
        return page
    base = url[: url.index('/', url.index('//') + 2)]
    counters = re.findall(r'data-placeholder_count="([^"]+)"', page.text)
    if counters:
        answer = session.post(
            base + '/my/counters',
            json={'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': {'counters': counters}},
            timeout=timeout,
        )
        if answer.status_code != 200 or 'error' in answer.json():
            answer.status_code = answer.status_code if answer.status_code != 200 else 500
            return answer
    for placeholder in re.findall(r'<div[^>]*\bo_cp_home_account_placeholder\b[^>]*>', page.text):
        cards = session.get(base + re.search(r'data-url="([^"]+)"', placeholder)[1], timeout=timeout)
        if cards.status_code != 200:
            return cards
    return page


def time_requests(session, url, n, warmup=3, timeout=300, get=get_page):
    """Warm up, then time n GETs (fewer when a page is slow: at most ~PAGE_BUDGET seconds, at least 5,
    or 1 when one takes more than 30 s). ``get(session, url, timeout)`` replaces the plain GET."""
    import requests  # noqa: PLC0415

    first, times, size = None, [], 0
    try:
        for _ in range(warmup):
            started = time.perf_counter()
            answer = get(session, url, timeout)
            first = time.perf_counter() - started
            if answer.status_code != 200:
                return {'error': f"HTTP {answer.status_code} after {first:.0f} s", 'n': 0}
        if first and first * n > PAGE_BUDGET:
            n = max(5 if first < 30 else 1, int(PAGE_BUDGET / first))
        for _ in range(n):
            started = time.perf_counter()
            answer = get(session, url, timeout)
            elapsed = time.perf_counter() - started
            if answer.status_code != 200:
                return {'error': f"HTTP {answer.status_code} after {elapsed:.0f} s", 'n': len(times)}
            times.append(elapsed)
            size = len(answer.content)
    except requests.RequestException as e:
        return {'error': f"{type(e).__name__} after {time.perf_counter() - started:.0f} s", 'n': len(times)}
    return {'median': statistics.median(times), 'p95': percentile(times, 95), 'n': n, 'bytes': size}


def jsonrpc(session, url, params):
    answer = session.post(url, json={'jsonrpc': '2.0', 'method': 'call', 'id': 1, 'params': params}, timeout=300)
    data = answer.json()
    if 'error' in data:
        raise RuntimeError(f"{url}: {data['error'].get('data', {}).get('message') or data['error']}")
    return data['result']


def as_browser_behind_proxy(session):
    """The session as the concurrent run uses it (issue 16): a connection refused or reset before any
    answer is retried, with backoff, as browsers (and a reverse proxy such as nginx, proxy_next_upstream)
    do for a GET. Odoo's prefork listens with a backlog of 8 per worker (odoo/service/server.py) and its
    workers answer HTTP/1.0, one connection per request, so 50 customers starting requests at once
    overflow it and the kernel refuses or resets some connections: without a retry each was counted as an
    error although no customer would see one. The time of a retried request counts in its latency, and
    the number of retried requests is reported.
    """
    from requests.adapters import HTTPAdapter  # noqa: PLC0415
    from urllib3.util.retry import Retry  # noqa: PLC0415

    retry = Retry(
        total=4,
        connect=4,
        read=2,
        status=0,
        other=0,
        allowed_methods=frozenset({'GET'}),
        backoff_factor=0.2,
        raise_on_status=False,
    )
    session.mount('http://', HTTPAdapter(max_retries=retry))
    return session


def was_retried(response):
    """Whether urllib3 retried the request of ``response`` (as_browser_behind_proxy)."""
    retries = getattr(response.raw, 'retries', None)
    return bool(retries and retries.history)

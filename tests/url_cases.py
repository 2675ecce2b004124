"""Malformed URLs and the message ``newsbrief.fetch.parse_url`` gives each (shared test data)."""

from __future__ import annotations

import pytest

LONG_HOST = "a" * 300 + ".com"
LONG_LABEL = "b" * 64 + ".example"
#: Malformed URLs: each is refused before any lookup or connection, with what is wrong.
MALFORMED_URLS = [
    pytest.param(
        "http://[::1",
        "http://[::1: not a valid URL (unmatched '[' or ']' in the host)",
        id="ipv6-unclosed",
    ),
    pytest.param(
        "http://news.example]/",
        "http://news.example]/: not a valid URL (unmatched '[' or ']' in the host)",
        id="bracket-unopened",
    ),
    pytest.param(
        "http://xn--/",
        "http://xn--/: not a valid URL (the host name 'xn--' is not a valid IDNA name: "
        "Malformed A-label, no Punycode eligible content found)",
        id="idna-empty-a-label",
    ),
    pytest.param(
        "http://www.xn--/",
        "http://www.xn--/: not a valid URL (the host name 'www.xn--' is not a valid IDNA name: "
        "'xn--' encodes nothing)",
        id="idna-empty-a-label-inside",
    ),
    pytest.param(
        f"http://{LONG_HOST}/",
        f"http://{LONG_HOST}/: not a valid URL (the host name is 304 characters long; "
        "DNS allows at most 253)",
        id="host-too-long",
    ),
    pytest.param(
        f"http://{LONG_LABEL}/",
        f"http://{LONG_LABEL}/: not a valid URL (a label of the host name is 64 characters "
        "long; DNS allows at most 63)",
        id="label-too-long",
    ),
    pytest.param(
        "http://news..example/",
        "http://news..example/: not a valid URL (the host name 'news..example' has two dots "
        "in a row)",
        id="empty-label",
    ),
    pytest.param(
        "http://news example/",
        "http://news example/: not a valid URL (the host name contains ' ', which no host "
        "name can)",
        id="space-in-host",
    ),
    pytest.param(
        "http://127.0.0.1:99999/",
        "http://127.0.0.1:99999/: not a valid URL (the port must be a number from 1 to 65535, "
        "got '99999')",
        id="port-too-large",
    ),
    pytest.param(
        "http://news.example:0/",
        "http://news.example:0/: not a valid URL (the port must be a number from 1 to 65535, "
        "got '0')",
        id="port-zero",
    ),
    pytest.param(
        "http://[::1]:http/",
        "http://[::1]:http/: not a valid URL (the port must be a number from 1 to 65535, "
        "got 'http')",
        id="port-not-a-number",
    ),
    pytest.param(
        "http://999.1.2.3/",
        "http://999.1.2.3/: not a valid URL (Invalid IPv4 address: '999.1.2.3')",
        id="bad-ipv4",
    ),
]

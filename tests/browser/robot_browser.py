"""A stand-in for the system browser in the CLI tests (``BROWSER="python -m tests.browser.robot_browser %s"``):
it signs in on the pages as ROBOT_USERNAME / ROBOT_PASSWORD and follows the redirect to the loopback listener."""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from tests.browser.helpers import WebClient


def main(url: str) -> int:
    parts = urlsplit(url)
    web = WebClient(f"{parts.scheme}://{parts.netloc}")
    page = web.get(web.get(url).location)
    done = web.submit(page, username=os.environ["ROBOT_USERNAME"], password=os.environ["ROBOT_PASSWORD"])
    try:
        with urllib.request.urlopen(done.location, timeout=10) as answer:
            answer.read()
    except urllib.error.HTTPError as refused:
        refused.read()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

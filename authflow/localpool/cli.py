"""``authflow local-pool``: serve a local user pool until SIGINT / SIGTERM (``--operations``: print which
cognito-idp operations it implements instead).

The first line on stdout is one JSON object: ``endpoint_url``, ``pool_id``, ``client_id``, ``region``,
``pools`` (every pool with its client ids) and ``users`` (the seed's users with their passwords, pool,
client and scenario). Then one line per request on stderr: operation, status, error code (never a
parameter, so never a secret).
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from types import FrameType
from typing import Any

from authflow.localpool import LocalUserPool
from authflow.localpool.seed import load_seed

log = logging.getLogger("authflow.localpool")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="authflow local-pool",
        description="Serve a strict, Cognito-compatible user pool on this machine (cognito-idp JSON 1.1).",
    )
    parser.add_argument("--seed", metavar="FILE", help="JSON seed file (default: the built-in demo users)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request on stderr")
    parser.add_argument("--operations", action="store_true",
                        help="print which cognito-idp operations the pool implements, and exit")
    return parser


def describe(pool: LocalUserPool) -> dict[str, Any]:
    """What the first stdout line says."""
    return {
        "endpoint_url": pool.endpoint_url,
        "pool_id": pool.pool_id,
        "client_id": pool.client_id,
        "region": pool.region,
        "pools": [{"pool_id": p.id, "name": p.name, "client_ids": list(p.clients)} for p in pool.pools()],
        "users": pool.demo_users(),
    }


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.operations:
        from authflow.localpool.coverage import operations_table

        print(operations_table())
        return 0
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s local-pool %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.WARNING if args.quiet else logging.INFO)
    log.propagate = False
    try:
        try:
            pool = LocalUserPool(load_seed(args.seed or "demo"), host=args.host, port=args.port)
        except (OSError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            print(f"authflow local-pool: --seed {args.seed or 'demo'}: {reason}", file=sys.stderr)
            return 2
        try:
            pool.start()
        except OSError as exc:
            print(f"authflow local-pool: cannot listen on {args.host}:{args.port} ({exc.strerror})", file=sys.stderr)
            return 1
        return _serve(pool)
    finally:
        log.removeHandler(handler)


def _serve(pool: LocalUserPool) -> int:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, on_signal)
    try:
        print(json.dumps(describe(pool)), flush=True)
        log.info("serving %s (pools: %s); Ctrl-C stops", pool.endpoint_url, ", ".join(p.id for p in pool.pools()))
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        log.debug("interrupted")
    finally:
        pool.stop()
        for number, handler in previous.items():
            signal.signal(number, handler)
    log.info("stopped")
    return 0

"""``authflow local-pool``: serve a local user pool until SIGINT / SIGTERM (``--operations``: print which
cognito-idp operations it implements instead).

``--data FILE`` keeps the state in an SQLite file (made and seeded the first time; its state, not the seed,
afterwards); ``--workers N`` (with ``--data``) serves from N processes sharing one listening socket and the
file. A file that cannot be used (not a pool database, a newer schema, locked) is one line on stderr and
exit status 2, the file left as it was.

The first line on stdout is one JSON object: ``endpoint_url``, ``pool_id``, ``client_id``, ``region``,
``pools`` (every pool with its client ids), ``identity_pools`` (every identity pool with its user pools) and
``users`` (the seed's users with their passwords, pool, client and scenario). Then one line per request on
stderr: operation, status, error code (never a parameter, so never a secret).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from types import FrameType
from typing import Any

from authflow.localpool import LocalUserPool, StoreError
from authflow.localpool.seed import load_seed

log = logging.getLogger("authflow.localpool")

EPILOG = """\
what it prints:
  stdout, first line: one JSON object: endpoint_url, pool_id, client_id, region, pools (each pool and its
  client ids) and users (the seed's users, their passwords and what each shows); then nothing more.
  stderr: one line per request (operation, status, error code; never a parameter value).
  It runs until Ctrl-C (SIGINT) or SIGTERM.

point the other commands at it (in another terminal):
  export AUTHFLOW_ENDPOINT_URL=http://127.0.0.1:9229 AUTHFLOW_POOL_ID=us-east-1_AuthFlow1 \\
         AUTHFLOW_CLIENT_ID=authflowdemoclient00000001     # the values of the first line
  authflow login --username alice                          # password: Alice-Passw0rd!

examples:
  authflow local-pool --port 9229                 the demo users on a fixed port
  authflow local-pool --seed my-pool.json --quiet  your own pools and users
  authflow local-pool --data pool.db               keep what changes (users, tokens) between runs
"""


class _Parser(argparse.ArgumentParser):
    """A mistake in one line, not the usage block."""

    def error(self, message: str) -> Any:
        self.exit(2, f"authflow: {message} (see {self.prog} --help)\n")


def port_number(text: str) -> int:
    """An argparse ``type``: a TCP port, 0 (a free one) to 65535."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number: give 0 to 65535 (0: a free port)")
    return value


def _parser() -> argparse.ArgumentParser:
    from authflow.helpformat import ExamplesHelpFormatter

    parser = _Parser(
        prog="authflow local-pool",
        description="Serve a strict, Cognito-compatible user pool on this machine (cognito-idp JSON 1.1), with "
        "demo users for every kind of sign-in unless --seed says otherwise. Nothing is sent anywhere: codes "
        "'sent' by SMS or email are kept in its outbox (GET <endpoint_url>/_local/outbox).",
        epilog=EPILOG,
        formatter_class=ExamplesHelpFormatter,
    )
    parser.add_argument("--seed", metavar="FILE", help="JSON seed file (default: the built-in demo users)")
    parser.add_argument("--port", type=port_number, default=0, help="port to listen on, 0 to 65535 (default: a "
                        "free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--quiet", action="store_true", help="do not log each request on stderr")
    parser.add_argument("--operations", action="store_true",
                        help="print which cognito-idp operations the pool implements, and exit")
    parser.add_argument("--data", metavar="FILE",
                        help="keep the pools, users, tokens and outbox in this SQLite file (default: in memory)")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="serve from N processes sharing --data (default: 1)")
    # Internal: how a worker is started by its parent, and a test mode giving each worker a port of its own.
    parser.add_argument("--worker-fd", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--worker-ports", action="store_true", help=argparse.SUPPRESS)
    return parser


def describe(pool: LocalUserPool, endpoint_url: str | None = None) -> dict[str, Any]:
    """What the first stdout line says."""
    return {
        "endpoint_url": endpoint_url or pool.endpoint_url,
        "pool_id": pool.pool_id,
        "client_id": pool.client_id,
        "region": pool.region,
        "pools": [{"pool_id": p.id, "name": p.name, "client_ids": list(p.clients)} for p in pool.pools()],
        "identity_pools": [{"identity_pool_id": p.id, "name": p.name,
                            "providers": [str(x.get("ProviderName")) for x in p.providers]}
                           for p in pool.identity_pools()],
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
        if args.workers < 1:
            print("authflow: local-pool --workers is at least 1", file=sys.stderr)
            return 2
        if args.workers > 1 and not args.data:
            print("authflow: local-pool --workers needs --data (the processes share that file)", file=sys.stderr)
            return 2
        if args.worker_fd is not None:
            return _worker(args)
        try:
            seed = load_seed(args.seed or "demo")
        except (OSError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            print(f"authflow: local-pool --seed {args.seed or 'demo'}: {reason}", file=sys.stderr)
            return 2
        if not _loopback(args.host):
            print(f"authflow: local-pool: warning: {args.host} is reachable from other machines, and whoever reaches "
                  "it can sign in as the seed's users with the passwords printed here (a test tool: keep it on "
                  "127.0.0.1 unless that is what you want)", file=sys.stderr)
        try:
            pool = LocalUserPool(seed, host=args.host, port=args.port, data=args.data)
        except StoreError as exc:
            print(f"authflow: local-pool --data {exc}", file=sys.stderr)
            return 2
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            print(f"authflow: local-pool --seed {args.seed or 'demo'}: {reason}", file=sys.stderr)
            return 2
        try:
            if args.workers > 1:
                return _serve_workers(pool, args)
            try:
                pool.start()
            except OSError as exc:
                print(f"authflow: local-pool cannot listen on {args.host}:{args.port} ({exc.strerror})",
                      file=sys.stderr)
                return 1
            return _serve(pool)
        finally:
            pool.close()
    finally:
        log.removeHandler(handler)


def _loopback(host: str) -> bool:
    """Whether ``host`` (--host) is reachable from this machine only."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it may resolve to any interface


def _until_signalled(stop: threading.Event) -> dict[int, Any]:
    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, on_signal)
    return previous


# --- several processes (--workers) -------------------------------------------------------------------


def _worker_command(args: argparse.Namespace, fd: int) -> list[str]:
    command = [sys.executable, "-m", "authflow.localpool", "--data", args.data, "--worker-fd", str(fd),
               "--host", args.host]
    if args.seed:
        command += ["--seed", args.seed]
    if args.quiet:
        command.append("--quiet")
    if args.worker_ports:
        command.append("--worker-ports")
    return command


def _start_worker(args: argparse.Namespace, listening: socket.socket) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    fd = listening.fileno()
    process = subprocess.Popen(_worker_command(args, fd), pass_fds=(fd,), stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.wait()
        raise RuntimeError(f"a worker ended at start (exit status {process.returncode})")
    return process, json.loads(line)


def _serve_workers(pool: LocalUserPool, args: argparse.Namespace) -> int:
    """The parent of ``--workers N``: holds the file's lock and the listening socket, starts the workers
    (restarting one that dies), prints the first line once they all serve, stops them on SIGINT / SIGTERM."""
    try:
        listening = socket.create_server((args.host, args.port), backlog=512)
    except OSError as exc:
        print(f"authflow: local-pool cannot listen on {args.host}:{args.port} ({exc.strerror})", file=sys.stderr)
        return 1
    host, port = listening.getsockname()[:2]
    endpoint_url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    stop = threading.Event()
    previous = _until_signalled(stop)
    workers: list[tuple[subprocess.Popen[str], dict[str, Any]]] = []
    try:
        for _ in range(args.workers):
            workers.append(_start_worker(args, listening))
        info = describe(pool, endpoint_url)
        info["workers"] = [worker_info for _, worker_info in workers]
        print(json.dumps(info), flush=True)
        log.info("serving %s from %d processes (%s); Ctrl-C stops", endpoint_url, len(workers),
                 ", ".join(str(p.pid) for p, _ in workers))
        while not stop.wait(0.2):
            for index, (process, _) in enumerate(workers):
                if process.poll() is not None and not stop.is_set():
                    log.warning("worker %d ended (exit status %s): starting another", process.pid, process.returncode)
                    workers[index] = _start_worker(args, listening)
    except KeyboardInterrupt:
        log.debug("interrupted")
    finally:
        for process, _ in workers:
            if process.poll() is None:
                process.terminate()
        for process, _ in workers:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        listening.close()
        for number, handler in previous.items():
            signal.signal(number, handler)
    log.info("stopped")
    return 0


def _watch_parent(parent: int) -> None:
    """A worker ends with its parent (even a parent killed with SIGKILL)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _worker(args: argparse.Namespace) -> int:
    parent = os.getppid()
    threading.Thread(target=_watch_parent, args=(parent,), name="localpool-parent", daemon=True).start()
    listening = socket.socket(fileno=args.worker_fd)
    listening.setblocking(False)  # the workers race to accept: a loser goes back to waiting
    try:
        pool = LocalUserPool(load_seed(args.seed or "demo"), data=args.data, lock_data=False)
    except StoreError as exc:
        print(f"authflow local-pool worker: --data {exc}", file=sys.stderr)
        return 2
    own = None
    try:
        pool.start(listening=listening)
        info: dict[str, Any] = {"pid": os.getpid()}
        if args.worker_ports:
            from authflow.localpool.server import HttpServer

            own = HttpServer(pool.service, args.host, 0, limits=pool.limits)
            own.start()
            info["endpoint_url"] = own.endpoint_url
        print(json.dumps(info), flush=True)
        stop = threading.Event()
        previous = _until_signalled(stop)
        try:
            while not stop.wait(0.2):
                pass
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
    finally:
        if own is not None:
            own.stop()
        pool.close()
    return 0


def _serve(pool: LocalUserPool) -> int:
    stop = threading.Event()
    previous = _until_signalled(stop)
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

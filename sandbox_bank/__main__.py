"""Run the sandbox bank: ``python -m sandbox_bank --port 8099``."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from types import FrameType

from sandbox_bank.app import create_sandbox_app, serve
from sandbox_bank.core import SandboxConfig


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description="Banco sandbox do Athenas (todos os dialetos).")
    parser.add_argument("--host", default=env("ATHENAS_SANDBOX_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env("ATHENAS_SANDBOX_PORT", "8099")))
    parser.add_argument("--webhook-url", default=env("ATHENAS_SANDBOX_WEBHOOK_URL"))
    parser.add_argument("--webhook-secret", default=env("ATHENAS_SANDBOX_WEBHOOK_SECRET"))
    parser.add_argument(
        "--slow-delay", type=float, default=float(env("ATHENAS_SANDBOX_SLOW_S", "5"))
    )
    parser.add_argument(
        "--timeout-delay", type=float, default=float(env("ATHENAS_SANDBOX_TIMEOUT_S", "30"))
    )
    parser.add_argument(
        "--auto-advance",
        type=float,
        default=float(env("ATHENAS_SANDBOX_AUTO_ADVANCE_S", "0")),
        help="segundos entre avanços automáticos de status (0 = desligado)",
    )
    parser.add_argument("--access-log", action="store_true", help="registrar cada requisição")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    host_for_links = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host  # noqa: S104
    config = SandboxConfig(
        slow_delay_s=args.slow_delay,
        timeout_delay_s=args.timeout_delay,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        auto_advance_s=args.auto_advance,
        public_url=f"http://{host_for_links}:{args.port}",
    )
    app = create_sandbox_app(config)

    def stop(signum: int, frame: FrameType | None) -> None:
        app.close()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    serve(app, args.host, args.port, access_log=args.access_log)


if __name__ == "__main__":
    main()

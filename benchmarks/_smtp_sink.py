"""An SMTP sink for the delivery benchmark: aiosmtpd, one line per message on stdout.

    python benchmarks/_smtp_sink.py PORT

Prints "ready" once listening, then "<arrival unix time> <recipient>" for every message,
until stdin closes.
"""

from __future__ import annotations

import sys
import time

from aiosmtpd.controller import Controller


class Handler:
    async def handle_DATA(self, server, session, envelope):
        now = time.time()
        for recipient in envelope.rcpt_tos:
            sys.stdout.write(f"{now:.6f} {recipient}\n")
        sys.stdout.flush()
        return "250 OK"


def main() -> None:
    controller = Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""A scriptable SMTP server for the delivery tests (aiosmtpd, from Debian's python3-aiosmtpd).

It listens on 127.0.0.1 on a port the kernel picks, prints "PORT <n>" on stdout, and writes
one JSON line per event to --log (flushed at once, so a test can wait on it). What it does
with a message depends on the recipient's local part, so one server scripts many cases:

  rcpt451*  451 on RCPT           rcpt550*  550 on RCPT        rcpt452*  452 on RCPT
  rcpt421*  421 on RCPT, then the connection is closed
  data554*  554 after DATA        data451*  451 after DATA
  drop*     the connection is closed before the reply to the message
  stall*    the reply to the message comes --stall seconds late
  first<case>*  (first451, first452, first421, firstdata451, firstdrop, firststall) fails as
            <case> the first time that address is tried, then accepts: a temporary problem
            that a retry gets past
  anything else: 250, and the message is recorded (and saved in --store, if given)

--limit-file PATH holds the reply to any message beyond the number written in PATH until the
file allows it (or is removed): a test can stop a sender at an exact count, whatever the load.

--greet421 answers every connection with 421 and closes it. --starttls CERT KEY offers (and
requires) STARTTLS; --implicit-tls CERT KEY speaks TLS from the first byte; --auth USER:PASS
requires AUTH PLAIN/LOGIN with that login.
"""
import argparse
import asyncio
import json
import os
import re
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

MESSAGE_ID = re.compile(rb"^Message-ID:\s*<([^>\r\n]*)>", re.IGNORECASE | re.MULTILINE)


class Recorder:
    def __init__(self, path, store):
        self.file = open(path, "a", buffering=1) if path else None
        self.store = store
        self.count = 0

    def event(self, **fields):
        if self.file:
            self.file.write(json.dumps(fields) + "\n")
            self.file.flush()


class Handler:
    def __init__(self, recorder, stall, release_file=None, limit_file=None):
        self.recorder = recorder
        self.stall = stall
        self.release_file = release_file
        self.limit_file = limit_file
        self.tried = set()

    def limit(self):
        """The number of messages --limit-file allows, or None for no limit."""
        try:
            with open(self.limit_file) as f:
                return int(f.read().strip() or "0")
        except (OSError, ValueError):
            return None

    async def wait_for_limit(self):
        """Holds a message that would pass --limit-file's count until the file allows it."""
        if not self.limit_file:
            return
        while True:
            allowed = self.limit()
            if allowed is None or self.recorder.count < allowed:
                return
            await asyncio.sleep(0.02)

    async def wait_stall(self):
        """--stall seconds, or with --release-file until that file exists (at most --stall)."""
        if not self.release_file:
            await asyncio.sleep(self.stall)
            return
        deadline = asyncio.get_running_loop().time() + self.stall
        while not os.path.exists(self.release_file) and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)

    def once(self, address):
        """For first<case> addresses: the local part to act on, failing only the first try."""
        local = address.split("@")[0].lower()
        if not local.startswith("first"):
            return local
        if address.lower() in self.tried:
            return "ok"
        return local[len("first"):]

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.recorder.event(event="ehlo", name=hostname, tls=session.ssl is not None)
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = self.once(address)
        if local.startswith(("451", "452", "421")):
            local = "rcpt" + local
        if local.startswith("rcpt") and address.split("@")[0].lower().startswith("first"):
            self.tried.add(address.lower())
        for prefix, reply in (("rcpt451", "451 4.3.0 Try again later"), ("rcpt550", "550 5.1.1 No such user here"),
                              ("rcpt452", "452 4.2.2 Mailbox full")):
            if local.startswith(prefix):
                self.recorder.event(event="rejected", stage="rcpt", to=address, reply=reply)
                return reply
        if local.startswith("rcpt421"):
            self.recorder.event(event="rejected", stage="rcpt", to=address, reply="421")
            asyncio.get_running_loop().call_later(0.2, server.transport.close)
            return "421 4.3.2 Shutting down"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        to = envelope.rcpt_tos[0] if envelope.rcpt_tos else ""
        local = self.once(to)
        if to.split("@")[0].lower().startswith("first") and local != "ok":
            self.tried.add(to.lower())
        if local.startswith("data554"):
            self.recorder.event(event="rejected", stage="data", to=to, reply="554")
            return "554 5.7.1 Message rejected as spam"
        if local.startswith("data451"):
            self.recorder.event(event="rejected", stage="data", to=to, reply="451")
            return "451 4.3.0 Temporary problem after data"
        if local.startswith("drop"):
            self.recorder.event(event="dropped", to=to)
            server.transport.abort()
            return "250 2.0.0 never seen"
        if local.startswith("stall"):
            self.recorder.event(event="stalled", to=to)
            await self.wait_stall()
            return "451 4.3.0 Too late"
        await self.wait_for_limit()
        content = envelope.content or b""
        found = MESSAGE_ID.search(content)
        self.recorder.count += 1
        number = self.recorder.count
        if self.recorder.store:
            with open(os.path.join(self.recorder.store, f"{number:06d}.eml"), "wb") as f:
                f.write(content)
        self.recorder.event(event="message", number=number, mail_from=envelope.mail_from, to=envelope.rcpt_tos,
                            message_id=found.group(1).decode("ascii", "replace") if found else None,
                            size=len(content), tls=session.ssl is not None,
                            login=session.auth_data if isinstance(session.auth_data, str) else None)
        return f"250 2.0.0 Ok: queued as T{number}"


class Greet421(asyncio.Protocol):
    def __init__(self, recorder):
        self.recorder = recorder

    def connection_made(self, transport):
        self.recorder.event(event="connect", reply="421")
        transport.write(b"421 4.3.2 Service not available, closing\r\n")
        transport.close()


class CountingSMTP(SMTP):
    def __init__(self, recorder, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.recorder = recorder

    def connection_made(self, transport):
        self.recorder.event(event="connect")
        super().connection_made(transport)


def main():
    # A parent that started us from a thread blocking signals passes that mask on.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM, signal.SIGINT])
    parser = argparse.ArgumentParser()
    parser.add_argument("--log")
    parser.add_argument("--store")
    parser.add_argument("--stall", type=float, default=5.0)
    parser.add_argument("--release-file", help="a stall ends as soon as this file exists (--stall is then only its bound)")
    parser.add_argument("--limit-file", help="accept no more messages than the number this file holds")
    parser.add_argument("--greet421", action="store_true")
    parser.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--implicit-tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--auth")
    args = parser.parse_args()

    recorder = Recorder(args.log, args.store)
    handler = Handler(recorder, args.stall, args.release_file, args.limit_file)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def context(pair):
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(pair[0], pair[1])
        return ctx

    authenticator = None
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() and auth_data.password == password.encode()
            recorder.event(event="auth", ok=ok, mechanism=mechanism)
            return AuthResult(success=ok, handled=False, auth_data=user if ok else None)

    if args.greet421:
        factory = lambda: Greet421(recorder)
        server_ssl = None
    else:
        starttls = context(args.starttls) if args.starttls else None
        server_ssl = context(args.implicit_tls) if args.implicit_tls else None

        def factory():
            return CountingSMTP(recorder, handler, hostname="scripted.test", tls_context=starttls,
                                require_starttls=starttls is not None, authenticator=authenticator,
                                auth_required=authenticator is not None, auth_require_tls=False, loop=loop)

    server = loop.run_until_complete(loop.create_server(factory, host="127.0.0.1", port=0, ssl=server_ssl))
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    try:
        loop.run_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

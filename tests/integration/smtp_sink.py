#!/usr/bin/env python3
"""A real SMTP server for wardmap's integration tests, on Debian's python3-aiosmtpd.

Listens on 127.0.0.1 (--port 0 picks a free port), writes the port it got to --port-file once
it accepts connections, and saves every accepted message whole as FOLDER/msg-*.eml, preceded
by X-Envelope-From and X-Envelope-To lines (written under a temporary name, then renamed).
Recipients whose address starts with "refused" get a permanent 550. With --auth USER:PASSWORD
it requires SMTP AUTH (PLAIN or LOGIN; over plain text, as this is a loopback test).
Stops on SIGTERM.
"""
import argparse
import asyncio
import itertools
import os
import signal

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.serial = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = os.path.join(self.folder, "msg-%d-%d" % (os.getpid(), next(self.serial)))
        with open(name + ".tmp", "wb") as out:
            out.write(("X-Envelope-From: %s\r\nX-Envelope-To: %s\r\n"
                       % (envelope.mail_from, ",".join(envelope.rcpt_tos))).encode())
            out.write(envelope.original_content or envelope.content)
        os.rename(name + ".tmp", name + ".eml")
        return "250 2.0.0 Message accepted for delivery"


def authenticator_for(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == user
              and auth_data.password.decode() == password)
        return AuthResult(success=ok)
    return authenticate


async def main(args):
    os.makedirs(args.folder, exist_ok=True)
    handler = Sink(args.folder)
    options = {"hostname": "wardmap-test-sink"}
    if args.auth:
        user, password = args.auth.split(":", 1)
        options.update(authenticator=authenticator_for(user, password), auth_required=True,
                       auth_require_tls=False)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, **options), "127.0.0.1", args.port)
    port = server.sockets[0].getsockname()[1]
    with open(args.port_file + ".tmp", "w") as out:
        out.write("%d\n" % port)
    os.rename(args.port_file + ".tmp", args.port_file)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--auth")
    parser.add_argument("folder")
    asyncio.run(main(parser.parse_args()))

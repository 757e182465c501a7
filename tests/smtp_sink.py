"""A real SMTP server on loopback that keeps what it receives (aiosmtpd)."""

import email
import email.policy
import random
import socket
import threading
import time

from aiosmtpd.controller import Controller

# Ports handed out in this run, so two servers never get the same one.
_given = set()


def free_port():
    """A loopback port nobody listens on, below the kernel's ephemeral range.

    A port the kernel picks (bind to 0) is in its ephemeral range (32768 and
    up), which outgoing connections draw from too: between picking it and a
    server binding it, a database connection could take it as its own end.
    """
    for _ in range(500):
        port = random.randint(20000, 32000)
        if port in _given:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _given.add(port)
        return port
    raise RuntimeError("no free port between 20000 and 32000")


class Keeper:
    def __init__(self):
        self.messages = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


class SmtpSink:
    """`with SmtpSink() as smtp:` listens on 127.0.0.1:smtp.port until the block ends."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.keeper = Keeper()
        self.controller = Controller(self.keeper, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    def start(self):
        self.controller.start()

    def stop(self):
        self.controller.stop()

    @property
    def messages(self):
        return list(self.keeper.messages)

    def wait_for(self, count, seconds=60):
        """Return the messages once `count` have arrived; fail after `seconds`."""
        deadline = time.monotonic() + seconds
        with self.keeper.arrived:
            while len(self.keeper.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.keeper.messages)} of {count} mails arrived")
                self.keeper.arrived.wait(left)
            return list(self.keeper.messages)

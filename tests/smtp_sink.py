"""A real SMTP server on loopback that keeps what it receives (aiosmtpd)."""

import email
import email.policy
import socket
import threading
import time

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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

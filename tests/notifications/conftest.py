"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""

import socket

import pytest
from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CollectingHandler:
    """Accepts everything, except recipients in ``refused`` and, when ``refuse_data`` is set,
    every message (with that reply, or a permanent 550 when it is ``True``)."""

    def __init__(self):
        self.messages = []
        self.refused = set()
        self.refuse_data = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return self.refuse_data if isinstance(self.refuse_data, str) \
                else "550 5.7.1 Message refused"
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(app, monkeypatch):
    """Start the server and point the app's MAIL_* settings at it."""
    handler = CollectingHandler()
    port = free_port()
    # Like many servers, it does not offer SMTPUTF8: a non-ASCII address cannot be carried.
    controller = Controller(handler, hostname="127.0.0.1", port=port, enable_SMTPUTF8=False)
    controller.start()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", None)
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "mobility@example.org")
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def dead_smtp(app, monkeypatch):
    """MAIL_* pointing at a port where nothing listens."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", None)

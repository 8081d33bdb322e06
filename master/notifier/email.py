"""SMTP e-mail: plain-text and HTML parts, STARTTLS or implicit TLS, several recipients."""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import trio

from .channels import EmailConfig
from .errors import SendError
from .guard import connect_tcp
from .message import Notification, render_html, render_text, subject


def build_email(config: EmailConfig, note: Notification) -> EmailMessage:
    """The message with both parts; From defaults to the SMTP login or a local name."""
    msg = EmailMessage()
    msg["Subject"] = subject(note)
    msg["From"] = config.from_address or config.smtp_user or "atlhyper@localhost"
    msg["To"] = ", ".join(config.to_addresses)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="atlhyper")
    msg.set_content(render_text(note))
    msg.add_alternative(render_html(note), subtype="html")
    return msg


class _SMTP(smtplib.SMTP):
    """smtplib's client, connecting only where the channel may (see guard.py)."""

    def __init__(self, host: str, port: int, *, timeout: float, allow_private: bool) -> None:
        self._allow_private = allow_private
        super().__init__(host, port, timeout=timeout)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return connect_tcp(host, port, timeout, allow_private=self._allow_private)


class _SMTPSSL(smtplib.SMTP_SSL):
    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float,
        context: ssl.SSLContext,
        allow_private: bool,
    ) -> None:
        self._allow_private = allow_private
        super().__init__(host, port, timeout=timeout, context=context)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = connect_tcp(host, port, timeout, allow_private=self._allow_private)
        return self.context.wrap_socket(sock, server_hostname=host)


def _send(config: EmailConfig, msg: EmailMessage, timeout: float, allow_private: bool) -> None:
    host, port, mode = config.smtp_host, config.smtp_port, config.smtp_tls
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if mode == "tls":
        smtp = _SMTPSSL(host, port, timeout=timeout, context=context, allow_private=allow_private)
    else:
        smtp = _SMTP(host, port, timeout=timeout, allow_private=allow_private)
    with smtp:
        if mode == "starttls":
            smtp.starttls(context=context)
        if config.smtp_user:
            smtp.login(config.smtp_user, config.smtp_password)
        smtp.send_message(msg)


async def send_email(
    config: EmailConfig, note: Notification, *, socket_timeout: float, allow_private: bool
) -> None:
    """Send through the channel's SMTP server in a worker thread. Raises SendError.

    The socket carries `socket_timeout`; the thread is abandoned if the caller is
    cancelled (its socket timeout ends it soon after).
    """
    try:
        msg = build_email(config, note)
        await trio.to_thread.run_sync(
            _send, config, msg, socket_timeout, allow_private, abandon_on_cancel=True
        )
    except smtplib.SMTPAuthenticationError as err:
        raise SendError(f"SMTP login refused ({err.smtp_code})") from None
    except (smtplib.SMTPException, OSError) as err:
        # Never the password: smtplib's messages carry codes and server text only.
        raise SendError(f"{type(err).__name__}: {err}") from None
    except ValueError as err:  # a header or login smtplib cannot encode
        raise SendError(f"message could not be encoded: {type(err).__name__}") from None

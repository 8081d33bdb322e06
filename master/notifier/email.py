"""SMTP e-mail: plain-text and HTML parts, STARTTLS or implicit TLS, several recipients."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import trio

from .errors import SendError
from .message import Notification, render_html, render_text, subject


def build_email(config: dict[str, Any], note: Notification) -> EmailMessage:
    """The message with both parts; From defaults to the SMTP login or a local name."""
    msg = EmailMessage()
    msg["Subject"] = subject(note)
    msg["From"] = config.get("from_address") or config.get("smtp_user") or "atlhyper@localhost"
    msg["To"] = ", ".join(config["to_addresses"])
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="atlhyper")
    msg.set_content(render_text(note))
    msg.add_alternative(render_html(note), subtype="html")
    return msg


def _send(config: dict[str, Any], msg: EmailMessage, timeout: float) -> None:
    host, port, mode = config["smtp_host"], int(config["smtp_port"]), config["smtp_tls"]
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if mode == "tls":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if mode == "starttls":
            smtp.starttls(context=context)
        if config.get("smtp_user"):
            smtp.login(config["smtp_user"], config.get("smtp_password", ""))
        smtp.send_message(msg)


async def send_email(config: dict[str, Any], note: Notification, *, socket_timeout: float) -> None:
    """Send through the channel's SMTP server in a worker thread. Raises SendError.

    The socket carries `socket_timeout`; the thread is abandoned if the caller is
    cancelled (its socket timeout ends it soon after).
    """
    try:
        msg = build_email(config, note)
        await trio.to_thread.run_sync(_send, config, msg, socket_timeout, abandon_on_cancel=True)
    except smtplib.SMTPAuthenticationError as err:
        raise SendError(f"SMTP login refused ({err.smtp_code})") from None
    except (smtplib.SMTPException, OSError) as err:
        # Never the password: smtplib's messages carry codes and server text only.
        raise SendError(f"{type(err).__name__}: {err}") from None
    except ValueError as err:  # a header or login smtplib cannot encode
        raise SendError(f"message could not be encoded: {type(err).__name__}") from None

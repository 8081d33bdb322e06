"""Message rendering on hostile names: one-line subjects, no header injection."""

from __future__ import annotations

import time

from master.notifier import EmailConfig
from master.notifier.email import build_email
from master.notifier.message import Notification, subject


def test_line_breaks_in_agent_names_never_reach_a_mail_header() -> None:
    note = Notification(
        kind="firing",
        cluster_id="c1",
        severity="critical",
        title="BackOff: Pod ns/evil\r\nBcc: victim@example.com on c1",
        at=time.time(),
        link="",
    )
    assert "\n" not in subject(note) and "\r" not in subject(note)
    msg = build_email(EmailConfig(to_addresses=("ops@example.com",)), note)
    assert msg["Bcc"] is None and "Bcc: victim" in msg["Subject"]

"""What a notification says, and how each channel shows it: plain text, HTML, Slack, JSON.

Plain functions over plain data (no I/O): the senders only move the bytes.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# What a notification is: one alert starting, repeating past its cooldown, clearing,
# a digest of several (start-up or burst), or an operator's test.


@dataclass(frozen=True, slots=True)
class AlertItem:
    """One alert as a message shows it."""

    rule: str
    severity: str
    cluster_id: str
    kind: str
    namespace: str
    name: str
    reason: str
    message: str
    count: int = 1
    status: str = "firing"

    @property
    def object(self) -> str:
        return "/".join(p for p in (self.kind, self.namespace, self.name) if p)


@dataclass(frozen=True, slots=True)
class Notification:
    """One message to every channel that wants it; `items` has one entry unless a digest."""

    kind: str
    cluster_id: str
    severity: str
    title: str
    items: tuple[AlertItem, ...] = ()
    link: str = ""
    at: float = 0.0


def _when(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _line(item: AlertItem) -> str:
    times = f" (x{item.count})" if item.count > 1 else ""
    return f"[{item.severity}] {item.object} {item.reason}{times}: {item.message}"


def subject(note: Notification) -> str:
    """A one-line summary: e-mail subject, Slack fallback text.

    One line whatever the agent put in object names: a line break in a mail
    header is refused (and would be header injection).
    """
    return " ".join(f"[{note.severity.upper()}] {note.title}".split())


def render_text(note: Notification) -> str:
    """The plain-text body (e-mail text part)."""
    lines = [
        note.title,
        "",
        f"Cluster:  {note.cluster_id}",
        f"Severity: {note.severity}",
        f"Time:     {_when(note.at)}",
    ]
    if note.kind in ("firing", "repeat", "resolved") and note.items:
        item = note.items[0]
        lines += [
            f"Object:   {item.object}",
            f"Reason:   {item.reason}",
            f"Count:    {item.count}",
            f"Message:  {item.message}",
        ]
    elif note.items:
        lines += ["", *(f"- {_line(i)}" for i in note.items)]
    if note.link:
        lines += ["", f"Dashboard: {note.link}"]
    return "\n".join(lines) + "\n"


def render_html(note: Notification) -> str:
    """The HTML body (e-mail HTML part); every value escaped."""
    e = html.escape
    colour = {"critical": "#dc3545", "warning": "#fd7e14"}.get(note.severity, "#0d6efd")
    rows = [("Cluster", note.cluster_id), ("Severity", note.severity), ("Time", _when(note.at))]
    body = ""
    if note.kind in ("firing", "repeat", "resolved") and note.items:
        item = note.items[0]
        rows += [
            ("Object", item.object),
            ("Reason", item.reason),
            ("Count", str(item.count)),
            ("Message", item.message),
        ]
    elif note.items:
        body = "<ul>" + "".join(f"<li>{e(_line(i))}</li>" for i in note.items) + "</ul>"
    table = "".join(f"<tr><th align='left'>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows)
    link = f"<p><a href='{e(note.link)}'>Open the dashboard</a></p>" if note.link else ""
    return (
        f"<html><body><h2 style='color:{colour}'>{e(note.title)}</h2>"
        f"<table>{table}</table>{body}{link}<p>Sent by the AtlHyper master</p></body></html>"
    )


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(note: Notification) -> dict[str, Any]:
    """An incoming-webhook body: fallback text plus blocks with the alert's fields."""
    s = _slack_escape
    icon = {"critical": ":red_circle:", "warning": ":large_orange_circle:"}.get(
        note.severity, ":large_blue_circle:"
    )
    if note.kind == "resolved":
        icon = ":white_check_mark:"
    fields = [f"*Cluster:*\n{s(note.cluster_id)}", f"*Severity:*\n{note.severity}"]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"{icon} *{s(note.title)}*"}},
    ]
    if note.kind in ("firing", "repeat", "resolved") and note.items:
        item = note.items[0]
        fields += [
            f"*Object:*\n{s(item.object)}",
            f"*Reason:*\n{s(item.reason)}",
            f"*Count:*\n{item.count}",
        ]
        blocks.append(
            {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]}
        )
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": s(item.message) or " "}}
        )
    else:
        blocks.append(
            {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]}
        )
        if note.items:
            listed = "\n".join(f"• {s(_line(i))}" for i in note.items[:40])
            more = f"\n…and {len(note.items) - 40} more" if len(note.items) > 40 else ""
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": listed + more}})
    if note.link:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"<{note.link}|Open {s(note.cluster_id)} in the dashboard>",
                    }
                ],
            }
        )
    return {"text": subject(note), "blocks": blocks}


def webhook_payload(note: Notification) -> dict[str, Any]:
    """The generic webhook's JSON body."""
    return {
        "kind": note.kind,
        "cluster_id": note.cluster_id,
        "severity": note.severity,
        "title": note.title,
        "link": note.link,
        "at": note.at,
        "alerts": [
            {
                "rule": i.rule,
                "severity": i.severity,
                "cluster_id": i.cluster_id,
                "object": {"kind": i.kind, "namespace": i.namespace, "name": i.name},
                "reason": i.reason,
                "message": i.message,
                "count": i.count,
                "status": i.status,
            }
            for i in note.items
        ],
    }

"""What a notification says, and how each channel shows it: plain text, HTML, Slack, JSON.

Plain functions over plain data (no I/O): the senders only move the bytes.
Every value from outside (agent-supplied names, messages, cluster ids) is
escaped for the channel it goes to: control characters written out in text,
mail and Slack (so no value starts a line of its own and forges "Cluster:"),
HTML escaping in HTML, Slack's `&`, `<`, `>` escaping everywhere in a Slack
message (so `<!channel>` and `<url|text>` cannot be forged), and links
percent-encoded.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import msgspec

from ..model.text import escape_controls

# What a notification is: one alert starting, repeating past its cooldown, clearing,
# a digest of several (start-up or burst), or an operator's test.
SLACK_MAX_ITEMS = 40


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

    @property
    def single(self) -> AlertItem | None:
        """The one alert a firing, repeat or resolved message is about (None for a digest)."""
        if self.kind in ("firing", "repeat", "resolved") and self.items:
            return self.items[0]
        return None


def _when(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _line(item: AlertItem) -> str:
    times = f" (x{item.count})" if item.count > 1 else ""
    return f"[{item.severity}] {item.object} {item.reason}{times}: {item.message}"


def safe_link(link: str) -> str:
    """The link with everything outside URL syntax percent-encoded: no spaces, quotes,
    `<`, `>` or `|` (which would end a Slack link early), no control characters."""
    return quote(link, safe=":/?#[]@!$&'()*+,;=%")


def _fields(note: Notification) -> list[tuple[str, str]]:
    """(label, value) of the message, raw; each channel escapes them its way."""
    rows = [("Cluster", note.cluster_id), ("Severity", note.severity), ("Time", _when(note.at))]
    item = note.single
    if item is not None:
        rows += [
            ("Object", item.object),
            ("Reason", item.reason),
            ("Count", str(item.count)),
            ("Message", item.message),
        ]
    return rows


def subject(note: Notification) -> str:
    """A one-line summary: e-mail subject, Slack fallback text.

    One line whatever the agent put in object names: a line break in a mail
    header is refused (and would be header injection).
    """
    return escape_controls(f"[{note.severity.upper()}] {note.title}")


def render_text(note: Notification) -> str:
    """The plain-text body (e-mail text part): one line per field, whatever the values hold."""
    t = escape_controls
    lines = [t(note.title), ""]
    lines += [f"{label + ':':<10}{t(value)}" for label, value in _fields(note)]
    if note.single is None and note.items:
        lines += ["", *(f"- {t(_line(i))}" for i in note.items)]
    if note.link:
        lines += ["", f"Dashboard: {safe_link(note.link)}"]
    return "\n".join(lines) + "\n"


def render_html(note: Notification) -> str:
    """The HTML body (e-mail HTML part); every value escaped."""

    def e(text: str) -> str:
        return html.escape(escape_controls(text))

    colour = {"critical": "#dc3545", "warning": "#fd7e14"}.get(note.severity, "#0d6efd")
    body = ""
    if note.single is None and note.items:
        body = "<ul>" + "".join(f"<li>{e(_line(i))}</li>" for i in note.items) + "</ul>"
    table = "".join(
        f"<tr><th align='left'>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _fields(note)
    )
    link = (
        f"<p><a href='{html.escape(safe_link(note.link))}'>Open the dashboard</a></p>"
        if note.link
        else ""
    )
    return (
        f"<html><body><h2 style='color:{colour}'>{e(note.title)}</h2>"
        f"<table>{table}</table>{body}{link}<p>Sent by the AtlHyper master</p></body></html>"
    )


# -- Slack ------------------------------------------------------------------------------


class SlackText(msgspec.Struct, frozen=True, tag_field="type", tag="mrkdwn"):
    text: str


class SlackSection(
    msgspec.Struct, frozen=True, tag_field="type", tag="section", omit_defaults=True
):
    text: SlackText | None = None
    fields: tuple[SlackText, ...] = ()


class SlackContext(msgspec.Struct, frozen=True, tag_field="type", tag="context"):
    elements: tuple[SlackText, ...]


class SlackMessage(msgspec.Struct, frozen=True):
    """An incoming-webhook body: fallback text plus blocks."""

    text: str
    blocks: tuple[SlackSection | SlackContext, ...]


def slack_escape(text: str) -> str:
    """Text as Slack shows it literally: control characters written out, and `&`, `<`,
    `>` escaped, so no mention (`<!channel>`) or link (`<url|text>`) can be forged."""
    return escape_controls(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(link: str, text: str) -> str:
    # Percent-encoding leaves no `<`, `>` or `|` in the URL; `&` is escaped as Slack asks.
    return f"<{safe_link(link).replace('&', '&amp;')}|{slack_escape(text)}>"


def slack_payload(note: Notification) -> SlackMessage:
    """The Slack message: the alert's fields as blocks, every value escaped."""
    s = slack_escape
    icon = {"critical": ":red_circle:", "warning": ":large_orange_circle:"}.get(
        note.severity, ":large_blue_circle:"
    )
    if note.kind == "resolved":
        icon = ":white_check_mark:"
    shown = [(k, v) for k, v in _fields(note) if k not in ("Time", "Message")]
    fields = tuple(SlackText(f"*{k}:*\n{s(v)}") for k, v in shown)
    blocks: list[SlackSection | SlackContext] = [
        SlackSection(text=SlackText(f"{icon} *{s(note.title)}*")),
        SlackSection(fields=fields),
    ]
    item = note.single
    if item is not None:
        blocks.append(SlackSection(text=SlackText(s(item.message) or " ")))
    elif note.items:
        listed = "\n".join(f"• {s(_line(i))}" for i in note.items[:SLACK_MAX_ITEMS])
        more = len(note.items) - SLACK_MAX_ITEMS
        blocks.append(
            SlackSection(text=SlackText(listed + (f"\n…and {more} more" if more > 0 else "")))
        )
    if note.link:
        text = f"Open {note.cluster_id} in the dashboard"
        blocks.append(SlackContext(elements=(SlackText(_slack_link(note.link, text)),)))
    return SlackMessage(text=s(subject(note)), blocks=tuple(blocks))


# -- generic webhook ---------------------------------------------------------------------


class WebhookObject(msgspec.Struct, frozen=True):
    kind: str
    namespace: str
    name: str


class WebhookAlert(msgspec.Struct, frozen=True):
    rule: str
    severity: str
    cluster_id: str
    object: WebhookObject
    reason: str
    message: str
    count: int
    status: str


class WebhookPayload(msgspec.Struct, frozen=True):
    """The generic webhook's JSON body: values exactly as they are (JSON escapes them)."""

    kind: str
    cluster_id: str
    severity: str
    title: str
    link: str
    at: float
    alerts: tuple[WebhookAlert, ...]


def webhook_payload(note: Notification) -> WebhookPayload:
    return WebhookPayload(
        kind=note.kind,
        cluster_id=note.cluster_id,
        severity=note.severity,
        title=note.title,
        link=note.link,
        at=note.at,
        alerts=tuple(
            WebhookAlert(
                rule=i.rule,
                severity=i.severity,
                cluster_id=i.cluster_id,
                object=WebhookObject(kind=i.kind, namespace=i.namespace, name=i.name),
                reason=i.reason,
                message=i.message,
                count=i.count,
                status=i.status,
            )
            for i in note.items
        ),
    )

"""Property-based tests (Hypothesis): generated snapshots and generated API requests.

Two kinds of properties:

* Plain functions (`decode_snapshot`, `expand_gzip`, `parse_go_time`,
  `validate_request`, the login throttle) with ordinary `@given` tests.
  `decode_snapshot` is checked against an oracle: Go-shaped snapshots are
  generated valid, then, in a third of the examples, one typed field somewhere
  is replaced by a value of the wrong type, and in half of them spelled as the
  later agent spells them. A valid one must decode with summary counts equal
  to what the lists hold and every resource kept byte-for-byte; a broken one,
  or one with no key that tells its generation, must raise BadRequest;
  nothing may raise anything else.

* The gateway API against one real master. pytest-trio runs each Hypothesis
  example of an async `@given` test in a fresh `trio.run`, fixtures
  included, so a master would start per example. Instead the async test
  starts one master, seeds it, and runs ordinary synchronous `@given`
  functions in a worker thread (`trio.to_thread.run_sync`) that call the
  master with a blocking httpx client while the test's trio loop serves.
  Hypothesis keeps all of its machinery that way (shrinking, health checks);
  a failure surfaces with its shrunk example. Properties: never a 5xx, every
  4xx in the JSON error shape, and for some routes an oracle of the answer.

`database=None` everywhere: nothing is written under the work tree.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from typing import Any
from urllib.parse import quote

import httpx
import msgspec
import pytest
import trio
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from master.agentsdk.expand import expand_gzip
from master.model.command import ACTIONS, STATUSES, CommandRequest, validate_request
from master.model.errors import BadRequest, PayloadTooLarge, Unavailable
from master.model.gotime import format_time, parse_go_time
from master.model.snapshot import RESOURCE_KINDS
from master.processor import decode_snapshot
from master.query.resources import LISTED_KINDS
from master.service.throttle import ADDRESS_FACTOR, FORGET_AFTER, MAX_BACKOFF, LoginThrottle

from .agent_v3.spelling import LIST_KEYS, later_spelling
from .conftest import StartMaster
from .goagent import GoAgent, gzip_json, snapshot

FAST = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
API = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# --- building blocks -----------------------------------------------------------------

text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
names = st.text("abcdefghijklmnopqrstuvwxyz0123456789-.", min_size=1, max_size=10)
# What a cluster id must be (master/model/agent.py): an RFC 1123 label.
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
labels = st.none() | st.dictionaries(names, text, max_size=3)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
int32 = st.integers(0, 2**31 - 1)


@st.composite
def go_times(draw: st.DrawFn, min_year: int = 1970, max_year: int = 2100) -> str:
    """RFC 3339 as Go writes it: 0-9 fraction digits, Z or any offset; sometimes the zero time."""
    if draw(st.integers(0, 9)) == 0:
        return "0001-01-01T00:00:00Z"
    moment = draw(st.datetimes(datetime(min_year, 1, 1), datetime(max_year, 12, 31)))
    digits = draw(st.integers(0, 9))
    fraction = "" if digits == 0 else "." + f"{moment.microsecond:06d}000"[:digits]
    minutes = draw(st.integers(-(23 * 60 + 59), 23 * 60 + 59))
    if minutes == 0 and draw(st.booleans()):
        offset = "Z"
    else:
        sign = "-" if minutes < 0 else "+"
        offset = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    # Not %Y: strftime does not pad years below 1000 to four digits.
    return f"{moment.year:04d}" + moment.strftime("-%m-%dT%H:%M:%S") + fraction + offset


def entries(strategy: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[list[Any] | None]:
    """A kind's list as Go sends it: null when empty, often."""
    return st.none() | st.lists(strategy, max_size=4)


def doc(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {k: v if isinstance(v, st.SearchStrategy) else st.just(v) for k, v in required.items()},
        optional=optional,
    )


pods = doc(
    {
        "summary": doc(
            {"name": names},
            {
                "namespace": names,
                "nodeName": names,
                "ownerKind": names,
                "ownerName": names,
                "createdAt": go_times(),
            },
        )
    },
    {
        "status": doc(
            {},
            {
                "phase": st.sampled_from(["Running", "Pending", "Failed", "Succeeded", "", "x"]),
                "restarts": int32,
                "podIP": text,
            },
        ),
        "labels": labels,
        "annotations": st.none() | st.dictionaries(text, text, max_size=2),
        "spec": json_values,
    },
)
nodes = doc(
    {
        "summary": doc(
            {"name": names},
            {
                "ready": st.sampled_from(["True", "False", "Unknown", True, False]),
                "schedulable": st.booleans(),
            },
        )
    },
    {"labels": labels, "status": json_values},
)
workloads = doc(
    {
        "summary": doc(
            {"name": names},
            {
                "namespace": names,
                "replicas": int32,
                "ready": int32,
                "available": int32,
            },
        )
    },
    {"labels": labels, "spec": json_values},
)
daemonsets = doc(
    {
        "summary": doc(
            {"name": names},
            {
                "namespace": names,
                "desiredNumberScheduled": int32,
                "numberReady": int32,
                "numberAvailable": int32,
            },
        )
    },
    {"labels": labels, "template": json_values},
)
named = doc(
    {"summary": doc({"name": names}, {"namespace": names, "type": names})},
    {"status": st.none() | doc({}, {"phase": names}), "labels": labels},
)
flat = doc(
    {"name": names},
    {"namespace": names, "uid": names, "kind": names, "labels": labels, "data": json_values},
)
events = doc(
    {},
    {
        "uid": st.sampled_from(["u1", "u2", ""]) | names,
        "name": st.sampled_from(["e", "f"]) | names,
        "namespace": st.sampled_from(["default", ""]) | names,
        "kind": st.just("Event"),
        "type": st.sampled_from(["Normal", "Warning", ""]),
        "reason": names,
        "message": text,
        "source": names,
        "created_at": go_times(),
        "involved_object": doc(
            {}, {"kind": names, "namespace": names, "name": names, "uid": names}
        ),
        "count": int32,
        "first_timestamp": go_times() | st.none(),
        "last_timestamp": go_times(),
    },
)
KIND_ENTRIES = {
    "pods": pods,
    "nodes": nodes,
    "events": events,
    **{k: workloads for k in ("deployments", "statefulsets")},
    "daemonsets": daemonsets,
    **{k: named for k in ("services", "ingresses", "namespaces")},
    **{
        k: flat
        for k in RESOURCE_KINDS
        if k
        not in (
            "pods",
            "nodes",
            "deployments",
            "statefulsets",
            "daemonsets",
            "services",
            "ingresses",
            "namespaces",
        )
    },
}
snapshots = doc(
    {
        "cluster_id": st.integers(0, 7).flatmap(
            lambda i: st.none() | st.just("") if i == 0 else names
        )
    },
    {
        "fetched_at": go_times() | st.none(),
        "summary": json_values,
        "futureKind": json_values,
        "anotherNewKind": json_values,
        **{kind: entries(strategy) for kind, strategy in KIND_ENTRIES.items()},
    },
)

# --- wrong types, by what a field must be ----------------------------------------------

_scalars = st.none() | st.booleans() | st.integers() | text
_containers = st.lists(st.integers(), max_size=2) | st.dictionaries(
    names, st.integers(), max_size=2
)
_fractions = st.floats(0.001, 0.999) | st.sampled_from([-2.5, 1.5, 1e10 + 0.5])
WRONG: dict[str, st.SearchStrategy[Any]] = {
    "str": st.none() | st.booleans() | st.integers() | _fractions | _containers,
    "str?": st.booleans() | st.integers() | _fractions | _containers,
    "time?": st.booleans()
    | st.integers()
    | _containers
    | st.sampled_from(
        [
            "yesterday",
            "2026-01-18",
            "2026-13-01T00:00:00Z",
            "2026-01-18T10:00:03+25:00",
            "2026-01-18T10:00:03",
            " 2026-01-18T10:00:03Z",
            "2026-02-30T00:00:00Z",
        ]
    ),
    "int": st.none() | st.booleans() | text | _fractions | _containers,
    "bool": st.none() | st.integers() | text | _containers,
    "str|bool": st.none() | st.integers() | _fractions | _containers,
    "labels": st.integers()
    | text
    | st.lists(text, max_size=2)
    | st.dictionaries(names, st.integers() | st.none() | st.booleans(), min_size=1, max_size=2),
    "object": st.none() | st.integers() | text | st.lists(st.integers(), max_size=2),
    "object?": st.integers() | text | st.lists(st.integers(), max_size=2),
    "list?": st.integers()
    | text
    | st.booleans()
    | st.dictionaries(names, st.integers(), max_size=2),
}
_SUMMARY_TYPES = {
    "pods": {
        "name": "str",
        "namespace": "str",
        "nodeName": "str",
        "ownerKind": "str",
        "ownerName": "str",
    },
    "nodes": {"name": "str", "ready": "str|bool", "schedulable": "bool"},
    "workload": {
        "name": "str",
        "namespace": "str",
        "replicas": "int",
        "ready": "int",
        "available": "int",
    },
    "daemonsets": {
        "name": "str",
        "namespace": "str",
        "desiredNumberScheduled": "int",
        "numberReady": "int",
        "numberAvailable": "int",
    },
    "named": {"name": "str", "namespace": "str", "type": "str"},
}
_EVENT_TYPES = {
    "uid": "str",
    "name": "str",
    "namespace": "str",
    "kind": "str",
    "type": "str",
    "reason": "str",
    "message": "str",
    "source": "str",
    "created_at": "time?",
    "count": "int",
    "first_timestamp": "time?",
    "last_timestamp": "time?",
    "involved_object": "object",
}

Slot = tuple[dict[str, Any], str, str]  # the dict, its key, what the value must be


def _fields(container: dict[str, Any], types: dict[str, str]) -> Iterator[Slot]:
    for key, must in types.items():
        yield container, key, must


def typed_slots(body: dict[str, Any]) -> Iterator[Slot]:
    """Every place of `body` whose type the master checks, with the type it must have."""
    yield body, "cluster_id", "str?"
    yield body, "fetched_at", "time?"
    for kind in KIND_ENTRIES:
        yield body, kind, "list?"
        for item in body.get(kind) or []:
            group = (
                "workload"
                if kind in ("deployments", "statefulsets")
                else "named"
                if kind in ("services", "ingresses", "namespaces")
                else kind
            )
            if kind == "events":
                yield from _fields(item, _EVENT_TYPES)
                if isinstance(item.get("involved_object"), dict):
                    yield from _fields(
                        item["involved_object"],
                        dict.fromkeys(("kind", "namespace", "name", "uid"), "str"),
                    )
            elif group in _SUMMARY_TYPES:
                yield item, "summary", "object"
                yield item, "labels", "labels"
                yield from _fields(item["summary"], _SUMMARY_TYPES[group])
                if kind == "pods":
                    yield item, "status", "object"
                    if isinstance(item.get("status"), dict):
                        yield from _fields(item["status"], {"phase": "str", "restarts": "int"})
                if group == "named":
                    yield item, "status", "object?"
                    if isinstance(item.get("status"), dict):
                        yield item["status"], "phase", "str"
            else:
                yield from _fields(
                    item, {"name": "str", "namespace": "str", "uid": "str", "labels": "labels"}
                )


def expected_summary(body: dict[str, Any]) -> dict[str, int]:
    """What the summary must say, counted from the generated lists (the oracle)."""

    def listed(kind: str) -> list[dict[str, Any]]:
        return body.get(kind) or []

    def phase(pod: dict[str, Any]) -> str:
        return str((pod.get("status") or {}).get("phase", ""))

    by_uid: dict[str, dict[str, Any]] = {}
    for ev in listed("events"):
        by_uid[ev.get("uid") or f"{ev.get('namespace', '')}/{ev.get('name', '')}"] = ev
    ready = [n["summary"].get("ready", "") for n in listed("nodes")]
    deployments = [d["summary"] for d in listed("deployments")]
    return {
        "total_nodes": len(listed("nodes")),
        "ready_nodes": sum(1 for r in ready if r in ("True", True)),
        "total_pods": len(listed("pods")),
        "running_pods": sum(1 for p in listed("pods") if phase(p) == "Running"),
        "pending_pods": sum(1 for p in listed("pods") if phase(p) == "Pending"),
        "failed_pods": sum(1 for p in listed("pods") if phase(p) == "Failed"),
        "total_deployments": len(deployments),
        "healthy_deployments": sum(
            1 for d in deployments if d.get("ready", 0) == d.get("replicas", 0) > 0
        ),
        "total_statefulsets": len(listed("statefulsets")),
        "total_daemonsets": len(listed("daemonsets")),
        "total_services": len(listed("services")),
        "total_ingresses": len(listed("ingresses")),
        "total_namespaces": len(listed("namespaces")),
        "total_events": len(by_uid),
        "warning_events": sum(1 for e in by_uid.values() if e.get("type") == "Warning"),
    }


# --- plain-function properties -------------------------------------------------------------


@settings(FAST, max_examples=200)
@given(
    body=snapshots,
    header=st.sampled_from(["as the body", "none", "empty", "other"]),
    data=st.data(),
)
def test_decode_snapshot_counts_what_it_got_or_says_bad_request(
    body: dict[str, Any], header: str, data: st.DataObject
) -> None:
    """X-Cluster-ID as the body says, absent, empty or another cluster; then, one time
    in three, one typed field of the body gets a value of a wrong type; in either
    generation's spelling."""
    header_id = {"as the body": body["cluster_id"], "none": None, "empty": "", "other": "other"}[
        header
    ]
    broken = data.draw(st.integers(0, 2), label="broken") == 2
    if broken:
        container, key, must = data.draw(st.sampled_from(list(typed_slots(body))), label="slot")
        container[key] = data.draw(WRONG[must], label=f"wrong {must} for {key}")
    later = data.draw(st.booleans(), label="later agent")
    sent = later_spelling(body) if later else body
    raw = msgspec.json.encode(sent)
    # Only cluster_id and fetched_at (or their later spelling) tell a generation.
    unknown = body.get("cluster_id") is None and body.get("fetched_at") is None
    cluster = header_id or body.get("cluster_id")
    mismatch = bool(header_id and body.get("cluster_id") and header_id != body["cluster_id"])
    not_a_label = isinstance(cluster, str) and bool(cluster) and not DNS_LABEL.fullmatch(cluster)
    event(
        "broken"
        if broken
        else "no generation"
        if unknown
        else "mismatch"
        if mismatch
        else "no cluster id"
        if not cluster
        else "not a DNS label"
        if not_a_label
        else "valid"
    )
    try:
        snap = decode_snapshot(raw, header_id, received_at=1.0)
    except BadRequest:
        assert broken or unknown or mismatch or not cluster or not_a_label
        return
    assert not (broken or unknown or mismatch or not_a_label) and cluster
    assert snap.cluster_id == cluster and snap.size_bytes == len(raw)
    assert snap.generation == ("v3" if later else "v2")
    assert msgspec.structs.asdict(snap.summary) == expected_summary(body)
    for kind in RESOURCE_KINDS:  # every resource kept exactly as sent, in order
        assert [msgspec.json.decode(bytes(i.raw)) for i in snap.items(kind)] == (
            sent.get(LIST_KEYS[kind] if later else kind) or []
        )
    assert snap.extra_kinds() == sorted(k for k in ("futureKind", "anotherNewKind") if k in body)


@FAST
@given(
    payload=st.binary(max_size=4000),
    cuts=st.lists(st.integers(0, 4000), max_size=3),
    limit=st.integers(1, 5000),
    reserved=st.integers(0, 6000),
    room=st.integers(0, 6000),
)
def test_expand_gzip_round_trips_members_and_enforces_the_limit(
    payload: bytes, cuts: list[int], limit: int, reserved: int, room: int
) -> None:
    """Whatever was reserved up front, the output is exact, its claim covers it and never
    passes the limit; with no room left to grow, it is refused (503), never over-held."""
    bounds = sorted({0, len(payload), *(c for c in cuts if c <= len(payload))})
    stream = b"".join(gzip.compress(payload[a:b]) for a, b in pairwise(bounds))
    stream = stream or gzip.compress(b"")
    claimed = [min(reserved, limit)]

    def grow(n: int) -> bool:
        if n > room - sum(claimed[1:]):
            return False
        claimed.append(n)
        return True

    try:
        out = expand_gzip(stream, limit, reserved=reserved, grow=grow)
    except PayloadTooLarge:
        assert len(payload) > limit
    except Unavailable:
        assert len(payload) > claimed[0] + room
    else:
        assert out == payload and len(payload) <= limit
    assert sum(claimed) <= limit


@FAST
@given(payload=st.binary(min_size=1, max_size=2000), data=st.data())
def test_expand_gzip_refuses_truncated_and_corrupt_input(
    payload: bytes, data: st.DataObject
) -> None:
    whole = gzip.compress(payload)
    cut = whole[: data.draw(st.integers(1, len(whole) - 1), label="cut")]
    with pytest.raises(BadRequest):
        expand_gzip(cut, len(payload) + 1)
    flip = data.draw(st.integers(0, len(whole) - 1), label="flip")
    xor = data.draw(st.integers(1, 255), label="xor")
    bad = whole[:flip] + bytes([whole[flip] ^ xor]) + whole[flip + 1 :]
    try:
        out = expand_gzip(bad, len(payload) + 1)
    except (BadRequest, PayloadTooLarge):
        return
    # A flip in a header field the format ignores (mtime, OS, flags) changes nothing.
    assert out == payload


@FAST
@given(
    data=st.binary(max_size=300) | st.builds(lambda b: b"\x1f\x8b" + b, st.binary(max_size=300)),
    limit=st.integers(1, 10_000),
)
def test_expand_gzip_on_random_bytes_only_refuses(data: bytes, limit: int) -> None:
    try:
        out = expand_gzip(data, limit)
    except (BadRequest, PayloadTooLarge):
        return
    assert len(out) <= limit


@FAST
@given(value=go_times(min_year=1000, max_year=9998))
def test_parse_go_time_reads_what_go_writes(value: str) -> None:
    parsed = parse_go_time(value)
    if value.startswith("0001-"):  # Go's zero time: unknown
        assert parsed is None
        return
    assert parsed is not None and parsed.tzinfo == UTC
    head, offset = value[:19], value[19:].lstrip(".0123456789")
    fraction = value[19 : len(value) - len(offset)].lstrip(".")
    local = datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(
        microsecond=int((fraction + "000000")[:6])
    )
    minutes = (
        0
        if offset == "Z"
        else (1 if offset[0] == "+" else -1) * (int(offset[1:3]) * 60 + int(offset[4:6]))
    )
    assert parsed == local.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    # format_time is sortable UTC text that reads back to the same instant.
    assert parse_go_time(format_time(parsed)) == parsed


RFC3339 = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})"


@FAST
@example("9999-12-31T23:59:59-23:59")
@given(value=go_times(min_year=1, max_year=9999) | text | st.from_regex(RFC3339, fullmatch=True))
def test_parse_go_time_returns_or_raises_value_error(value: str) -> None:
    try:
        parsed = parse_go_time(value)
    except ValueError:
        return
    assert parsed is None or (isinstance(parsed, datetime) and parsed.tzinfo == UTC)


@FAST
@example(datetime(999, 6, 1, tzinfo=UTC))
@given(moment=st.datetimes(datetime(2, 1, 1), timezones=st.just(UTC)))
def test_format_time_is_rfc3339_that_reads_back(moment: datetime) -> None:
    text = format_time(moment)
    assert text is not None and len(text) == 27 and text.endswith("Z")
    assert parse_go_time(text) == moment


commands = doc(
    {"cluster_id": st.just("c1") | text, "action": st.sampled_from(sorted(ACTIONS)) | text},
    {
        "target_kind": st.sampled_from(["Deployment", "Pod", "Node", "StatefulSet", ""]) | text,
        "target_namespace": st.just("default") | text,
        "target_name": names | text,
        "params": st.dictionaries(
            st.sampled_from(
                ["replicas", "tailLines", "container", "image", "path", "command", "query"]
            ),
            json_values | st.floats() | st.lists(text, max_size=3),
            max_size=4,
        ),
    },
)


@FAST
@given(body=commands)
def test_validate_request_only_raises_bad_request(body: dict[str, Any]) -> None:
    req = msgspec.convert(body, CommandRequest)
    try:
        validate_request(req)
    except BadRequest as err:
        assert err.message
        return
    assert req.cluster_id and req.action in ACTIONS
    if req.action == "scale":
        replicas = req.params["replicas"]
        assert not isinstance(replicas, bool) and float(replicas).is_integer() and replicas >= 0


@FAST
@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from(["fail", "ok", "wait"]), st.sampled_from("abcd"), st.floats(0, 100)
        ),
        max_size=60,
    ),
    max_failures=st.integers(1, 5),
    backoff=st.floats(0.1, 60),
)
def test_login_throttle_blocks_only_after_max_failures(
    ops: list[tuple[str, str, float]], max_failures: int, backoff: float
) -> None:
    """Keys "a".."d" are (account, address) pairs over two accounts and two addresses."""
    now = [0.0]
    throttle = LoginThrottle(max_failures=max_failures, backoff=backoff, clock=lambda: now[0])
    pairs = {
        "a": ("kim", "10.0.0.1"),
        "b": ("kim", "10.0.0.2"),
        "c": ("lee", "10.0.0.1"),
        "d": ("lee", "10.0.0.2"),
    }
    failures: dict[object, int] = {}
    last: dict[object, float] = {}

    def fail(key: object) -> None:
        if now[0] - last.get(key, 0.0) > FORGET_AFTER:
            failures[key] = 0
        failures[key] = failures.get(key, 0) + 1
        last[key] = now[0]

    for op, key, seconds in ops:
        account, address = pairs[key]
        if op == "fail":
            throttle.failed(account, address)
            fail(key)
            fail(address)
            if failures[key] >= max_failures:  # blocked from the failure that reaches it
                assert throttle.retry_after(account, address) > 0
        elif op == "ok":
            throttle.succeeded(account, address)
            failures[key] = 0  # the pair's count only: the address keeps its own
        else:
            now[0] += seconds
        for k, (account, address) in pairs.items():
            wait = throttle.retry_after(account, address)
            assert 0 <= wait <= MAX_BACKOFF
            if (
                failures.get(k, 0) < max_failures
                and failures.get(address, 0) < ADDRESS_FACTOR * max_failures
            ):
                assert wait == 0


# --- API properties against one master ----------------------------------------------------

ERROR_KEYS = {"code", "message"}


def check_answer(r: httpx.Response) -> Any:
    """No 5xx and no redirect; a 4xx has the one error shape; 2xx and 4xx are JSON.

    Returns the JSON.
    """
    seen = (r.request.method, str(r.request.url)[:300], r.status_code, r.text[:300])
    assert r.status_code < 500 and not 300 <= r.status_code < 400, seen
    assert r.headers.get("content-type", "").startswith("application/json"), seen
    body = r.json()
    if r.status_code >= 400:
        assert list(body) == ["error"] and set(body["error"]) == ERROR_KEYS, seen
        assert isinstance(body["error"]["code"], str) and body["error"]["message"], seen
    return body


def mostly(valid: st.SearchStrategy[Any], junk: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`junk` one time in eight: with ten parameters to a request, about a third of the
    requests are entirely valid and get past validation into the code behind it.
    (`one_of(valid, valid, junk)` would not weigh: Hypothesis folds equal branches.)"""
    return st.integers(0, 7).flatmap(lambda i: junk if i == 0 else valid)


junk_numbers = (
    st.integers(-5, 10**6).map(str)
    | text
    | st.sampled_from(
        [
            "",
            " 5",
            "1e3",
            "0x10",
            "nan",
            "inf",
            "-0",
            "5.0",
            "\u0661\u0662",
            "99999999999999999999999",
        ]
    )
)
paging = {
    "limit": mostly(st.none() | st.integers(1, 1000).map(str), junk_numbers),
    "offset": mostly(st.none() | st.integers(0, 5).map(str), junk_numbers),
}
query_texts = mostly(
    st.none()
    | st.sampled_from(
        ["default", "node-1", "node-2", "Running", "Pending", "web", "db", "BackOff", "Warning"]
    ),
    text | names,
)
clusters = mostly(st.just("c1"), st.none() | text | names)
selectors = st.lists(
    mostly(
        st.sampled_from(["app", "app=web", "app=db", "tier", "tier=data"]),
        st.sampled_from(["=v", "", "x=", "app=", "=", "a=b=c"]) | text,
    ),
    max_size=3,
)
# A valid command, so submissions get past validation as well as into it.
valid_commands = st.fixed_dictionaries(
    {
        "cluster_id": st.just("c1"),
        "action": st.just("scale"),
        "target_kind": st.just("Deployment"),
        "target_namespace": st.just("default"),
        "target_name": names,
        "params": st.fixed_dictionaries({"replicas": st.integers(0, 50)}),
    }
)
# `wait` stays under 0.1 s when valid: a valid command holds the answer that long.
waits = mostly(
    st.none() | st.sampled_from(["0", "0.05"]),
    st.sampled_from(["", "-1", "121", "1e9", "nan", "inf", "-inf"])
    | st.text("abc-. e", max_size=4),
)
# Not "admin": disabling or demoting it could lock this client out mid-run.
usernames = names.filter(lambda n: n.lower() != "admin")
users = st.fixed_dictionaries(
    {"username": mostly(usernames, st.integers() | st.none() | text)},
    optional={
        "password": mostly(
            st.sampled_from(["correct-horse-battery-1", "lantern-orbit-staple-9"]),
            st.sampled_from(["short", "password123", ""]) | st.none() | text,
        ),
        "display_name": mostly(text, st.integers()),
        "email": text,
        "role": mostly(st.integers(1, 3), st.integers(-1, 9) | text | st.booleans()),
        "status": mostly(st.integers(0, 1), st.integers(-1, 9) | text),
        # Not 1, the first administrator, for the same reason.
        "user_id": mostly(st.integers(2, 6), st.integers() | text | st.booleans()),
    },
)
results = st.fixed_dictionaries(
    {
        "command_id": mostly(names, st.integers() | st.none()),
        "success": mostly(st.booleans(), text),
    },
    optional={
        "output": text,
        "error": text,
        "executed_at": mostly(go_times(), text | st.integers()),
    },
)


def put(params: dict[str, Any], **values: Any) -> dict[str, Any]:
    """`params` with the values that are not None."""
    return {**params, **{k: v for k, v in values.items() if v is not None}}


# The seeded cluster: what pod list filters must find.
SEED_PODS = snapshot("c1")["pods"]


def expected_pods(namespace: str, q: str, phase: str, node: str, selectors: list[str]) -> list[str]:
    out = []
    for p in SEED_PODS:
        s, labels = p["summary"], p["labels"]
        ok = (
            (not namespace or s["namespace"] == namespace)
            and (not q or q.lower() in s["name"].lower())
            and (not phase or p["status"]["phase"] == phase)
            and (not node or s.get("nodeName", "") == node)
        )
        for sel in selectors:
            key, eq, value = sel.partition("=")
            ok = ok and key in labels and (not eq or labels[key] == value)
        if ok:
            out.append(s["name"])
    return out


def run_api_properties(gateway_url: str, agent_url: str, token: str) -> None:
    """The generated-request properties; blocking, run in a worker thread."""
    client = httpx.Client(
        base_url=gateway_url, timeout=10, headers={"Authorization": f"Bearer {token}"}
    )
    # Kept-alive connections, as the Go agent's: an early 400 (no X-Cluster-ID) must not
    # leave one stuck (test_hostile.py::test_no_client_is_stuck_after_an_early_error).
    agent = httpx.Client(base_url=agent_url, timeout=10)

    @API
    @given(
        kind=mostly(
            st.just("pods") | st.sampled_from(list(LISTED_KINDS)),
            st.sampled_from(["secrets", "widgets"]),
        ),
        cluster=clusters,
        namespace=query_texts,
        q=query_texts,
        phase=query_texts,
        node=query_texts,
        ready=st.none() | st.sampled_from(["true", "0", "yes", "maybe"]),
        label=selectors,
        **paging,
    )
    def resource_lists(
        kind: str,
        cluster: str | None,
        namespace: str | None,
        q: str | None,
        phase: str | None,
        node: str | None,
        ready: str | None,
        label: list[str],
        limit: str | None,
        offset: str | None,
    ) -> None:
        params = put(
            {"label": label},
            cluster_id=cluster,
            namespace=namespace,
            q=q,
            phase=phase,
            node=node,
            ready=ready,
            limit=limit,
            offset=offset,
        )
        r = client.get(f"/api/v2/{kind}", params=params)
        body = check_answer(r)
        if r.status_code != 200:
            return
        assert kind in LISTED_KINDS and cluster
        if cluster != "c1":  # a cluster nobody knows has nothing to list, and says so
            assert (body["data"], body["total"]) == ([], 0) and "not known" in body["message"]
            return
        limit = body["limit"] or len(body["data"])  # all of them without a limit
        assert len(body["data"]) <= limit and body["total"] >= len(body["data"])
        if kind == "pods" and body["offset"] == 0 and limit >= 3:
            assert [i["summary"]["name"] for i in body["data"]] == expected_pods(
                namespace or "", q or "", phase or "", node or "", label
            )

    @API
    @given(
        source=mostly(st.none() | st.sampled_from(["history", "realtime"]), text),
        cluster=clusters,
        type=query_texts,
        reason=query_texts,
        namespace=query_texts,
        since=mostly(st.none() | go_times(), text),
        until=mostly(st.none() | go_times(), text),
        by_resource=st.booleans(),
        kind=mostly(st.sampled_from(["Pod", "Deployment", "Node"]), text),
        name=query_texts,
        **paging,
    )
    def events_queries(
        source: str | None,
        cluster: str | None,
        type: str | None,
        reason: str | None,
        namespace: str | None,
        since: str | None,
        until: str | None,
        by_resource: bool,
        kind: str | None,
        name: str | None,
        limit: str | None,
        offset: str | None,
    ) -> None:
        if by_resource:
            path, params = (
                "/api/v2/events/by-resource",
                put(
                    {},
                    cluster_id=cluster,
                    kind=kind,
                    namespace=namespace,
                    name=name,
                    limit=limit,
                    offset=offset,
                ),
            )
        else:
            path, params = (
                "/api/v2/events",
                put(
                    {},
                    source=source,
                    cluster_id=cluster,
                    type=type,
                    reason=reason,
                    namespace=namespace,
                    since=since,
                    until=until,
                    limit=limit,
                    offset=offset,
                ),
            )
        r = client.get(path, params=params)
        body = check_answer(r)
        if r.status_code == 200:
            assert body["total"] >= len(body["events"])

    @API
    @given(
        body=mostly(valid_commands, commands).map(msgspec.json.encode)
        | json_values.map(msgspec.json.encode)
        | st.binary(max_size=40),
        wait=waits,
    )
    def command_submissions(body: bytes, wait: str | None) -> None:
        r = client.post(
            "/api/v2/commands",
            content=body,
            params=put({}, wait=wait),
            headers={"Content-Type": "application/json"},
        )
        answer = check_answer(r)
        if r.status_code == 201:
            assert answer["status"] in STATUSES and answer["cluster_id"] == "c1"
            stored = check_answer(client.get(f"/api/v2/commands/{answer['command_id']}"))
            assert stored["command_id"] == answer["command_id"]

    @API
    @given(
        status=mostly(st.none() | st.sampled_from(STATUSES), text),
        cluster=clusters,
        command_id=st.none() | text,
        **paging,
    )
    def command_reads(
        status: str | None,
        cluster: str | None,
        command_id: str | None,
        limit: str | None,
        offset: str | None,
    ) -> None:
        if command_id is not None:
            check_answer(client.get("/api/v2/commands/" + quote(command_id, safe="")))
            return
        params = put({}, status=status, cluster_id=cluster, limit=limit, offset=offset)
        body = check_answer(client.get("/api/v2/commands", params=params))
        if "commands" in body:
            assert all(status in (None, "", c["status"]) for c in body["commands"])

    @settings(API, max_examples=40)
    @given(
        body=mostly(users.map(msgspec.json.encode), st.binary(max_size=30)),
        path=st.sampled_from(["register", "register", "update-role", "update-status", "delete"]),
    )
    def user_admin(body: bytes, path: str) -> None:
        r = client.post(f"/api/v2/user/{path}", content=body)
        answer = check_answer(r)
        if path == "register" and r.status_code == 201:
            listed = check_answer(client.get("/api/v2/user/list"))["data"]
            assert answer["data"]["username"] in [u["username"] for u in listed]
            assert "password" not in r.text

    @API
    @given(
        body=mostly(results.map(msgspec.json.encode), st.binary(max_size=40)),
        cluster=mostly(st.just("c1"), st.none() | names),
    )
    def agent_results(body: bytes, cluster: str | None) -> None:
        r = agent.post(
            "/agent/result",
            content=body,
            headers=put({"Content-Type": "application/json"}, **{"X-Cluster-ID": cluster}),
        )
        check_answer(r)

    try:
        for prop in (
            resource_lists,
            events_queries,
            command_submissions,
            command_reads,
            user_admin,
            agent_results,
        ):
            prop()
        assert client.get("/api/v2/user/me").json()["username"] == "admin"
    finally:
        client.close()
        agent.close()


async def test_api_never_answers_5xx_to_generated_requests(start_master: StartMaster) -> None:
    runner = await start_master(commands={"queue_size": 10_000})
    async with GoAgent.open(runner.agent_url, "c1") as agent:
        assert (await agent.snapshot()).status_code == 200
    token = await runner.admin_token()
    with trio.fail_after(150):
        await trio.to_thread.run_sync(
            run_api_properties, runner.gateway_url, runner.agent_url, token, abandon_on_cancel=True
        )
    async with GoAgent.open(runner.agent_url, "c1") as agent:
        assert (await agent.push(gzip_json(snapshot("c1")))).status_code == 200

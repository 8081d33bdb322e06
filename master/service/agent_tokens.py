"""Per-cluster agent tokens: created once, stored hashed, bound to their cluster."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets
import sqlite3
import time
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

import trio

from ..database import Database
from ..database.agent_tokens import (
    AgentToken,
    create_agent_token,
    get_agent_token,
    list_agent_tokens,
    revoke_agent_token,
    touch_agent_token,
)
from ..model.agent import check_cluster_id
from ..model.errors import Forbidden, NotFound, Unauthorized, Unavailable
from .audit import AuditLog

log = logging.getLogger("master.agent_tokens")

# How often the times tokens were last used are written: one write per interval,
# not one per agent request.
USE_FLUSH_INTERVAL = 60.0


def token_hash(token: str) -> str:
    # The token is 256 random bits: a plain SHA-256 is as good as a slow hash here.
    return hashlib.sha256(token.encode()).hexdigest()


def token_view(token: AgentToken) -> dict[str, Any]:
    """A token as the API lists it: never the secret, never its hash."""
    return {
        "id": token.id,
        "cluster_id": token.cluster_id,
        "prefix": token.prefix,
        "description": token.description,
        "created_at": token.created_at,
        "created_by": token.created_by,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


class AgentTokens:
    """Checks agent calls (kept in memory: one dict lookup per request) and manages tokens."""

    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        *,
        require: bool,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = db
        self._audit = audit
        self.require = require
        self._clock = clock
        self._by_hash: dict[str, AgentToken] = {}
        # token id -> when it was last used, not yet written
        self._used: dict[str, float] = {}

    async def load(self) -> None:
        tokens = await self._db.read(partial(list_agent_tokens, include_revoked=False))
        self._by_hash = {t.token_hash: t for t in tokens}

    def verify(self, token: str | None, cluster_id: str | None) -> str | None:
        """The cluster the token is bound to (None without a token, when tokens are optional).

        Raises Unauthorized for a missing, unknown or revoked token and Forbidden
        when the call names another cluster than the token's.
        """
        if not token:
            if self.require:
                raise Unauthorized(
                    "agent token required: send Authorization: Bearer <token> "
                    "or put /t/<token> in the agent's master_url"
                )
            return None
        found = self._by_hash.get(token_hash(token))
        if found is None:
            raise Unauthorized("unknown or revoked agent token")
        if cluster_id and cluster_id != found.cluster_id:
            raise Forbidden(
                f"this token belongs to cluster {found.cluster_id!r}, not {cluster_id!r}"
            )
        self._used[found.id] = self._clock()
        return found.cluster_id

    async def refused(self, ip: str, status: int, reason: str) -> None:
        """Count a refused agent call: one security record per address and reason per window."""
        if self._audit.refused("agent_refused", ip=ip, reason=f"HTTP {status}: {reason}"):
            log.warning("refused agent call from %s: %s", ip, reason)

    async def flush_use(self) -> None:
        """Write when each token used since the last flush was last used (kept if that fails)."""
        used, self._used = self._used, {}
        if not used:
            return

        def touch(conn: sqlite3.Connection) -> None:
            for token_id, at in used.items():
                touch_agent_token(conn, token_id, at)

        try:
            await self._db.write(touch, durable=False)
        except BaseException:
            self._used = used | self._used
            raise

    async def serve(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Write the tokens' last use once per interval, until cancelled."""
        task_status.started()
        while True:
            await trio.sleep(USE_FLUSH_INTERVAL)
            with contextlib.suppress(Unavailable):  # a storage fault: next interval
                await self.flush_use()

    async def create(
        self, cluster_id: str, *, description: str = "", created_by: str = ""
    ) -> tuple[str, AgentToken]:
        """A new token for `cluster_id`: the secret is returned here and never again."""
        check_cluster_id(cluster_id)
        secret = "atl_" + secrets.token_urlsafe(32)
        token = await self._db.write(
            partial(
                create_agent_token,
                id=uuid.uuid4().hex,
                cluster_id=cluster_id,
                token_hash=token_hash(secret),
                prefix=secret[:8],
                description=description,
                created_by=created_by,
                now=self._clock(),
            )
        )
        self._by_hash[token.token_hash] = token
        log.info(
            "agent token %s created for cluster %s by %s",
            token.id,
            cluster_id,
            created_by or "the master",
        )
        return secret, token

    async def list(
        self, cluster_id: str | None = None, *, include_revoked: bool = False
    ) -> list[AgentToken]:
        if self._db.fault is None:  # under a storage fault, reads go on without the latest use
            with contextlib.suppress(Unavailable):
                await self.flush_use()
        return await self._db.read(
            partial(list_agent_tokens, cluster_id=cluster_id, include_revoked=include_revoked)
        )

    async def revoke(self, token_id: str) -> None:
        if not await self._db.write(
            partial(revoke_agent_token, token_id=token_id, now=self._clock())
        ):
            raise NotFound(f"agent token {token_id!r} not found or already revoked")
        self._by_hash = {h: t for h, t in self._by_hash.items() if t.id != token_id}
        log.info("agent token %s revoked", token_id)

    async def rotate(self, token_id: str, *, created_by: str = "") -> tuple[str, AgentToken]:
        """Replace a token: a new secret for the same cluster, the old one revoked."""
        old = await self._db.read(partial(get_agent_token, token_id=token_id))
        if old is None or old.revoked_at is not None:
            raise NotFound(f"agent token {token_id!r} not found or already revoked")
        new = await self.create(old.cluster_id, description=old.description, created_by=created_by)
        await self.revoke(token_id)
        return new

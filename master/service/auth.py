"""Operators: first admin, login with throttling, JWTs that can be revoked, user management."""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import jwt

from ..database import Database
from ..database.users import (
    User,
    count_active_admins,
    create_user,
    delete_user,
    get_user,
    get_user_by_id,
    list_users,
    record_login,
    update_password,
    update_role,
    update_status,
)
from ..model.auth import (
    ACTIVE,
    ADMIN,
    DISABLED,
    ROLE_NAMES,
    USERNAME_RULE,
    Principal,
    check_username,
    fold_username,
    username_ok,
)
from ..model.errors import BadRequest, Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized
from ..model.gotime import epoch_to_second
from .audit import AuditLog, clip
from .passwords import Passwords, check_policy
from .throttle import LoginThrottle

log = logging.getLogger("master.auth")

ALGORITHM = "HS256"  # pinned: a token naming any other algorithm (or none) is refused
SECRET_FILE = "jwt_secret"


def load_or_create_secret(data_dir: Path, configured: str) -> str:
    """The JWT key: the configured one, else the one kept in the data directory (0600)."""
    if configured:
        return configured
    path = data_dir / SECRET_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret)
    log.info("generated a JWT signing key in %s", path)
    return secret


def user_view(user: User) -> dict[str, Any]:
    """A user as the API shows it: never the password hash.

    The Go master's fields (camelCase, RFC 3339 times to the second, which its web
    UI reads) with ours beside them. `username_ok` is False for a name an older
    master accepted that breaks today's rule: the account works, but the admin
    should replace it.
    """
    return {
        "id": user.id,
        "username": user.username,
        "displayName": user.display_name,
        "email": user.email,
        "role": user.role,
        "status": user.status,
        "createdAt": epoch_to_second(user.created_at),
        "lastLogin": epoch_to_second(user.last_login_at),
        "lastLoginIP": user.last_login_ip or "",
        "username_ok": username_ok(user.username),
        "display_name": user.display_name,
        "role_name": ROLE_NAMES.get(user.role, "?"),
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "last_login_at": user.last_login_at,
        "last_login_ip": user.last_login_ip,
    }


class AuthService:
    """Everything about operators; the only writer of the users table.

    A token names its user by the immutable id (`sub`), never by name: a
    look-alike name or a deleted and re-registered one cannot inherit it.
    """

    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        *,
        secret: str,
        lifetime: float,
        max_failures: int,
        backoff: float,
        passwords: Passwords | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = db
        self._audit = audit
        self._passwords = passwords or Passwords()
        self._secret = secret
        self._lifetime = lifetime
        self._clock = clock
        self.throttle = LoginThrottle(max_failures=max_failures, backoff=backoff, clock=clock)
        # user id -> User (None: no such user): every change goes through this service.
        self._users: dict[int, User | None] = {}

    async def bootstrap(self, username: str, password: str) -> None:
        """Create the first administrator when there are no users at all; report users whose
        names break the username rule (from older masters)."""
        users = await self._db.read(list_users)
        legacy = [u for u in users if not username_ok(u.username)]
        if legacy:
            log.warning(
                "%d user(s) have names outside the username rule %s: %s; they can still log "
                "in, but register a conforming account for each and delete the old one",
                len(legacy),
                USERNAME_RULE,
                ", ".join(f"id {u.id} {u.username!r}" for u in legacy),
            )
        if users:
            return
        check_username(username)
        generated = not password
        if generated:
            password = secrets.token_urlsafe(18)
        else:
            check_policy(password, username)
        hashed = await self._passwords.hash(password)
        await self._db.write(
            partial(
                create_user,
                username=username,
                password_hash=hashed,
                display_name="Administrator",
                email="",
                role=ADMIN,
                now=self._clock(),
            )
        )
        if generated:
            # Printed once, on the first start only: the operator must keep it.
            log.warning("created administrator %r with generated password: %s", username, password)
        else:
            log.info("created administrator %r from MASTER_ADMIN_PASSWORD", username)

    async def _by_id(self, user_id: int) -> User | None:
        if user_id not in self._users:
            found = await self._db.read(partial(get_user_by_id, user_id=user_id))
            # A change that landed while we read wins over what we read.
            self._users.setdefault(user_id, found)
        return self._users[user_id]

    async def _find(self, who: int | str) -> User:
        """The user with that id (an int) or name (ASCII letter case aside); NotFound if none."""
        if isinstance(who, int):
            user = await self._by_id(who)
        else:
            user = await self._db.read(partial(get_user, username=who))
        if user is None:
            raise NotFound(f"user {who!r} not found")
        return user

    def _changed(self, user: User | None, user_id: int) -> User:
        self._users[user_id] = user
        if user is None:
            raise NotFound(f"user {user_id} not found")
        return user

    # -- login and tokens ------------------------------------------------------

    async def login(self, username: str, password: str, ip: str) -> tuple[str, User]:
        """A signed token for valid credentials.

        Raises TooManyRequests while this account is throttled from this address
        (or the address itself is, whatever the password), Unauthorized for
        wrong credentials, Forbidden for a disabled account.
        """
        account = fold_username(username)[:64]
        wait = self.throttle.retry_after(account, ip)
        if wait > 0:
            # One record per address: a throttled flood may name a new account every time.
            if self._audit.refused(
                "login_throttled",
                ip=ip,
                reason="too many failed logins",
                details=f"first for {clip(username, 64)!r}, retry in {wait:.0f}s",
            ):
                log.warning("throttling logins to %r from %s", clip(username, 64), ip)
            raise TooManyRequests("too many failed logins; try again later", retry_after=wait)
        user = await self._db.read(partial(get_user, username=username))
        ok = await self._passwords.verify(user.password_hash if user else None, password)
        if not ok or user is None:
            self.throttle.failed(account, ip)
            self._audit.refused(
                "login_failed", ip=ip, username=username, reason="wrong username or password"
            )
            raise Unauthorized("wrong username or password")
        if user.status != ACTIVE:
            self._audit.refused(
                "login_disabled", ip=ip, username=username, reason="account disabled"
            )
            raise Forbidden("this account is disabled")
        self.throttle.succeeded(account, ip)
        await self._db.write(partial(record_login, user_id=user.id, ip=ip, now=self._clock()))
        now = int(self._clock())
        token = jwt.encode(
            {
                "sub": str(user.id),
                "name": user.username,
                "role": user.role,
                "ver": user.token_version,
                "iat": now,
                "exp": now + int(self._lifetime),
            },
            self._secret,
            algorithm=ALGORITHM,
        )
        log.info("user %r (id %d) logged in from %s", user.username, user.id, ip)
        return token, user

    async def authenticate(self, token: str) -> Principal:
        """The operator a bearer token names; Unauthorized if it is not (or no longer) valid."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                options={"require": ["exp", "iat", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("token expired; log in again") from None
        except jwt.InvalidTokenError as err:
            raise Unauthorized(f"invalid token: {err}") from None
        sub = claims["sub"]
        # Tokens of older masters named the user, not the id: they must log in again.
        named_by_id = isinstance(sub, str) and sub.isascii() and sub.isdigit()
        user = await self._by_id(int(sub)) if named_by_id else None
        if user is None or user.status != ACTIVE or claims.get("ver") != user.token_version:
            raise Unauthorized("token revoked; log in again")
        return Principal(user.username, user.role, user.id)

    # -- user management (admin) --------------------------------------------------

    async def users(self) -> list[dict[str, Any]]:
        return [user_view(u) for u in await self._db.read(list_users)]

    async def register(
        self, *, username: str, password: str, display_name: str, email: str, role: int
    ) -> User:
        check_username(username)
        _check_role(role)
        check_policy(password, username)
        hashed = await self._passwords.hash(password)
        user = await self._db.write(
            partial(
                create_user,
                username=username,
                password_hash=hashed,
                display_name=display_name,
                email=email,
                role=role,
                now=self._clock(),
            )
        )
        self._users[user.id] = user
        return user

    async def _guard_last_admin(self, user: User) -> None:
        if (
            user.role == ADMIN
            and user.status == ACTIVE
            and await self._db.read(count_active_admins) <= 1
        ):
            raise Conflict("the last active administrator cannot be demoted, disabled or deleted")

    async def set_role(self, who: int | str, role: int) -> User:
        """Change the role of the user with that id or name."""
        _check_role(role)
        user = await self._find(who)
        if role != ADMIN:
            await self._guard_last_admin(user)
        changed = await self._db.write(
            partial(update_role, user_id=user.id, role=role, now=self._clock())
        )
        return self._changed(changed, user.id)

    async def set_status(self, who: int | str, status: int) -> User:
        """Enable or disable the user with that id or name."""
        if status not in (ACTIVE, DISABLED):
            raise BadRequest("status must be 1 (active) or 0 (disabled)")
        user = await self._find(who)
        if status == DISABLED:
            await self._guard_last_admin(user)
        changed = await self._db.write(
            partial(update_status, user_id=user.id, status=status, now=self._clock())
        )
        return self._changed(changed, user.id)

    async def delete(self, who: int | str) -> None:
        """Delete the user with that id or name."""
        user = await self._find(who)
        await self._guard_last_admin(user)
        deleted = await self._db.write(partial(delete_user, user_id=user.id))
        self._users[user.id] = None
        if not deleted:
            raise NotFound(f"user {who!r} not found")

    async def change_password(self, user_id: int, old: str, new: str) -> None:
        user = await self._by_id(user_id)
        if user is None or not await self._passwords.verify(user.password_hash, old):
            raise Unauthorized("current password is wrong")
        check_policy(new, user.username)
        hashed = await self._passwords.hash(new)
        changed = await self._db.write(
            partial(update_password, user_id=user.id, password_hash=hashed, now=self._clock())
        )
        self._changed(changed, user.id)


def _check_role(role: int) -> None:
    if role not in ROLE_NAMES:
        raise BadRequest("role must be 1 (viewer), 2 (operator) or 3 (admin)")


__all__ = ["AuthService", "load_or_create_secret", "user_view"]

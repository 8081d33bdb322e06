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
from ..database.security import record_security_event
from ..database.users import (
    User,
    count_active_admins,
    count_users,
    create_user,
    delete_user,
    get_user,
    list_users,
    record_login,
    update_password,
    update_role,
    update_status,
)
from ..model.auth import ACTIVE, ADMIN, DISABLED, ROLE_NAMES, Principal
from ..model.errors import BadRequest, Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized
from .passwords import Passwords, check_policy
from .throttle import LoginThrottle, OncePerWindow

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
    """A user as the API shows it: never the password hash."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role,
        "role_name": ROLE_NAMES.get(user.role, "?"),
        "status": user.status,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
        "last_login_at": user.last_login_at,
        "last_login_ip": user.last_login_ip,
    }


class AuthService:
    """Everything about operators; the only writer of the users table."""

    def __init__(
        self,
        db: Database,
        *,
        secret: str,
        lifetime: float,
        max_failures: int,
        backoff: float,
        passwords: Passwords | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = db
        self._passwords = passwords or Passwords()
        self._secret = secret
        self._lifetime = lifetime
        self._clock = clock
        self.throttle = LoginThrottle(max_failures=max_failures, backoff=backoff, clock=clock)
        # A flood of throttled attempts is recorded once a minute per account and address.
        self._first_throttled = OncePerWindow(60.0, clock)
        # username (lower case) -> User: every change goes through this service.
        self._users: dict[str, User | None] = {}

    async def bootstrap(self, username: str, password: str) -> None:
        """Create the first administrator when there are no users at all."""
        if await self._db.read(count_users):
            return
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

    async def _user(self, username: str) -> User | None:
        key = username.lower()
        if key not in self._users:
            self._users[key] = await self._db.read(partial(get_user, username=username))
        return self._users[key]

    def _forget(self, username: str) -> None:
        self._users.pop(username.lower(), None)

    async def security_event(
        self, type: str, severity: str, ip: str, username: str, details: str
    ) -> None:
        await self._db.write(
            partial(
                record_security_event,
                type=type,
                severity=severity,
                ip=ip,
                username=username,
                details=details,
                now=self._clock(),
            ),
            durable=False,
        )

    # -- login and tokens ------------------------------------------------------

    async def login(self, username: str, password: str, ip: str) -> tuple[str, User]:
        """A signed token for valid credentials.

        Raises TooManyRequests while throttled (whatever the password),
        Unauthorized for wrong credentials, Forbidden for a disabled account.
        """
        keys = [f"user:{username.lower()}", f"ip:{ip}"]
        wait = self.throttle.retry_after(keys)
        if wait > 0:
            if self._first_throttled(f"{username.lower()} {ip}"):
                await self.security_event(
                    "login_throttled", "warning", ip, username, f"retry in {wait:.0f}s"
                )
            raise TooManyRequests("too many failed logins; try again later", retry_after=wait)
        user = await self._user(username)
        ok = await self._passwords.verify(user.password_hash if user else None, password)
        if not ok or user is None:
            self.throttle.failed(keys)
            await self.security_event(
                "login_failed", "warning", ip, username, "wrong username or password"
            )
            raise Unauthorized("wrong username or password")
        if user.status != ACTIVE:
            await self.security_event("login_disabled", "warning", ip, username, "account disabled")
            raise Forbidden("this account is disabled")
        self.throttle.succeeded(keys)
        await self._db.write(
            partial(record_login, username=user.username, ip=ip, now=self._clock())
        )
        now = int(self._clock())
        token = jwt.encode(
            {
                "sub": user.username,
                "role": user.role,
                "ver": user.token_version,
                "iat": now,
                "exp": now + int(self._lifetime),
            },
            self._secret,
            algorithm=ALGORITHM,
        )
        log.info("user %s logged in from %s", user.username, ip)
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
        user = await self._user(str(claims["sub"]))
        if user is None or user.status != ACTIVE or claims.get("ver") != user.token_version:
            raise Unauthorized("token revoked; log in again")
        return Principal(user.username, user.role)

    # -- user management (admin) --------------------------------------------------

    async def users(self) -> list[dict[str, Any]]:
        return [user_view(u) for u in await self._db.read(list_users)]

    async def register(
        self, *, username: str, password: str, display_name: str, email: str, role: int
    ) -> User:
        if (
            not username
            or len(username) > 64
            or not username.replace("-", "").replace("_", "").replace(".", "").isalnum()
        ):
            raise BadRequest("username must be 1-64 letters, digits, '-', '_' or '.'")
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
        self._forget(username)
        return user

    async def _guard_last_admin(self, username: str) -> None:
        user = await self._user(username)
        if user is None:
            raise NotFound(f"user {username!r} not found")
        if (
            user.role == ADMIN
            and user.status == ACTIVE
            and await self._db.read(count_active_admins) <= 1
        ):
            raise Conflict("the last active administrator cannot be demoted, disabled or deleted")

    async def set_role(self, username: str, role: int) -> User:
        _check_role(role)
        if role != ADMIN:
            await self._guard_last_admin(username)
        user = await self._db.write(
            partial(update_role, username=username, role=role, now=self._clock())
        )
        self._forget(username)
        return _found(user, username)

    async def set_status(self, username: str, status: int) -> User:
        if status not in (ACTIVE, DISABLED):
            raise BadRequest("status must be 1 (active) or 0 (disabled)")
        if status == DISABLED:
            await self._guard_last_admin(username)
        user = await self._db.write(
            partial(update_status, username=username, status=status, now=self._clock())
        )
        self._forget(username)
        return _found(user, username)

    async def delete(self, username: str) -> None:
        await self._guard_last_admin(username)
        deleted = await self._db.write(partial(delete_user, username=username))
        self._forget(username)
        if not deleted:
            raise NotFound(f"user {username!r} not found")

    async def change_password(self, username: str, old: str, new: str) -> None:
        user = await self._user(username)
        if user is None or not await self._passwords.verify(user.password_hash, old):
            raise Unauthorized("current password is wrong")
        check_policy(new, username)
        hashed = await self._passwords.hash(new)
        await self._db.write(
            partial(update_password, username=username, password_hash=hashed, now=self._clock())
        )
        self._forget(username)


def _check_role(role: int) -> None:
    if role not in ROLE_NAMES:
        raise BadRequest("role must be 1 (viewer), 2 (operator) or 3 (admin)")


def _found(user: User | None, username: str) -> User:
    if user is None:
        raise NotFound(f"user {username!r} not found")
    return user


__all__ = ["AuthService", "load_or_create_secret", "user_view"]

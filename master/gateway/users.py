"""`/api/v2/user/*`: login, the operator's own password, and user management (admin).

Answers are in the Go master's envelope (`{"message", "data"}`), which its web UI
reads; users are named by their numeric `user_id`, as that UI does, or `username`.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

import msgspec
from quart import Response, request
from quart_trio import QuartTrio

from ..model.auth import ADMIN, ROLE_NAMES, VIEWER, Principal
from ..model.errors import BadRequest
from ..query import Query
from ..service.auth import AuthService, user_view
from ..webapi import decode_body, json_response
from .auth import PUBLIC, client_ip, principal, requires, signed_in


class Login(msgspec.Struct):
    username: str
    password: str


class Register(msgspec.Struct):
    username: str
    password: str
    display_name: str = ""
    email: str = ""
    role: int = VIEWER


class Who(msgspec.Struct, kw_only=True):
    """Which user: the numeric id or the name, one of them."""

    user_id: Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)] | None = None
    username: str | None = None

    def target(self) -> int | str:
        if (self.user_id is None) == (self.username is None):
            raise BadRequest("name the user by user_id (its numeric id) or username, one of them")
        return self.user_id if self.user_id is not None else str(self.username)


class RoleChange(Who, kw_only=True):
    role: int


class StatusChange(Who, kw_only=True):
    status: int


class PasswordChange(msgspec.Struct):
    old_password: str
    new_password: str


S = TypeVar("S", bound=msgspec.Struct)


async def _body(kind: type[S]) -> S:
    raw = await request.get_data()
    assert isinstance(raw, bytes)
    return decode_body(msgspec.json.Decoder(kind), raw, "request body")


def register(app: QuartTrio, auth: AuthService, lifetime: float, query: Query) -> None:
    @app.post("/api/v2/user/login")
    @requires(PUBLIC)
    async def login() -> Response:
        body = await _body(Login)
        token, user = await auth.login(body.username, body.password, client_ip())
        signed_in(Principal(user.username, user.role, user.id))
        return json_response(
            {
                "message": "logged in",
                "data": {
                    "token": token,
                    "token_type": "Bearer",
                    "expires_in": int(lifetime),
                    "user": {
                        "id": user.id,
                        "username": user.username,
                        "displayName": user.display_name,
                        "email": user.email,
                        "role": user.role,
                        "role_name": ROLE_NAMES[user.role],
                    },
                    # The web UI keeps these and reads them back at start-up: always a list.
                    "cluster_ids": await query.cluster_ids(),
                },
            }
        )

    @app.get("/api/v2/user/me")
    async def me() -> Response:
        who = principal()
        return json_response(
            {
                "username": who.username,
                "role": who.role,
                "role_name": ROLE_NAMES.get(who.role, "anonymous"),
            }
        )

    @app.post("/api/v2/user/password")
    async def change_password() -> Response:
        body = await _body(PasswordChange)
        await auth.change_password(principal().user_id, body.old_password, body.new_password)
        return json_response({"status": "ok", "message": "password changed; log in again"})

    @app.post("/api/v2/user/register")
    @requires(ADMIN)
    async def register_user() -> Response:
        body = await _body(Register)
        user = await auth.register(
            username=body.username,
            password=body.password,
            display_name=body.display_name,
            email=body.email,
            role=body.role,
        )
        return json_response({"message": "user created", "data": user_view(user)}, 201)

    @app.get("/api/v2/user/list")
    @requires(ADMIN)
    async def list_users() -> Response:
        users = await auth.users()
        return json_response({"message": "ok", "data": users, "total": len(users)})

    @app.post("/api/v2/user/update-role")
    @requires(ADMIN)
    async def update_role() -> Response:
        body = await _body(RoleChange)
        user = await auth.set_role(body.target(), body.role)
        return json_response({"message": "role changed", "data": user_view(user)})

    @app.post("/api/v2/user/update-status")
    @requires(ADMIN)
    async def update_status() -> Response:
        body = await _body(StatusChange)
        user = await auth.set_status(body.target(), body.status)
        return json_response({"message": "status changed", "data": user_view(user)})

    @app.post("/api/v2/user/delete")
    @requires(ADMIN)
    async def delete_user() -> Response:
        body = await _body(Who)
        await auth.delete(body.target())
        return json_response({"message": "user deleted", "status": "ok"})

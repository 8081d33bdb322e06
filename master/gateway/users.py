"""`/api/v2/user/*`: login, the operator's own password, and user management (admin)."""

from __future__ import annotations

from typing import TypeVar

import msgspec
from quart import Response, request
from quart_trio import QuartTrio

from ..model.auth import ADMIN, ROLE_NAMES, VIEWER, Principal
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


class RoleChange(msgspec.Struct):
    username: str
    role: int


class StatusChange(msgspec.Struct):
    username: str
    status: int


class Username(msgspec.Struct):
    username: str


class PasswordChange(msgspec.Struct):
    old_password: str
    new_password: str


S = TypeVar("S", bound=msgspec.Struct)


async def _body(kind: type[S]) -> S:
    raw = await request.get_data()
    assert isinstance(raw, bytes)
    return decode_body(msgspec.json.Decoder(kind), raw, "request body")


def register(app: QuartTrio, auth: AuthService, lifetime: float) -> None:
    @app.post("/api/v2/user/login")
    @requires(PUBLIC)
    async def login() -> Response:
        body = await _body(Login)
        token, user = await auth.login(body.username, body.password, client_ip())
        signed_in(Principal(user.username, user.role, user.id))
        return json_response(
            {
                "token": token,
                "token_type": "Bearer",
                "expires_in": int(lifetime),
                "username": user.username,
                "display_name": user.display_name,
                "role": user.role,
                "role_name": ROLE_NAMES[user.role],
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
        return json_response(user_view(user), 201)

    @app.get("/api/v2/user/list")
    @requires(ADMIN)
    async def list_users() -> Response:
        users = await auth.users()
        return json_response({"users": users, "total": len(users)})

    @app.post("/api/v2/user/update-role")
    @requires(ADMIN)
    async def update_role() -> Response:
        body = await _body(RoleChange)
        return json_response(user_view(await auth.set_role(body.username, body.role)))

    @app.post("/api/v2/user/update-status")
    @requires(ADMIN)
    async def update_status() -> Response:
        body = await _body(StatusChange)
        return json_response(user_view(await auth.set_status(body.username, body.status)))

    @app.post("/api/v2/user/delete")
    @requires(ADMIN)
    async def delete_user() -> Response:
        body = await _body(Username)
        await auth.delete(body.username)
        return json_response({"status": "ok"})

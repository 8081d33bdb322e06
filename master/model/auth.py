"""Who is calling: operator roles and the identity a request carries."""

from __future__ import annotations

from dataclasses import dataclass

VIEWER = 1
OPERATOR = 2
ADMIN = 3
ROLE_NAMES = {VIEWER: "viewer", OPERATOR: "operator", ADMIN: "admin"}
ACTIVE = 1
DISABLED = 0


@dataclass(frozen=True)
class Principal:
    """An authenticated operator (role 0 and empty name: anonymous, under public read)."""

    username: str
    role: int

    @property
    def anonymous(self) -> bool:
        return not self.username


ANONYMOUS = Principal("", 0)

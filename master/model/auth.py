"""Who is calling: operator roles, the username rule, and the identity a request carries."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import BadRequest

VIEWER = 1
OPERATOR = 2
ADMIN = 3
ROLE_NAMES = {VIEWER: "viewer", OPERATOR: "operator", ADMIN: "admin"}
ACTIVE = 1
DISABLED = 0

# ASCII only: no look-alike letters (KELVIN SIGN, dotless i) and no invisible characters.
USERNAME_RULE = "[A-Za-z0-9._-]{1,64}"
_USERNAME = re.compile(USERNAME_RULE)
# The one case folding of usernames, the same as the database's COLLATE NOCASE: A-Z only.
_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def username_ok(username: str) -> bool:
    """Whether the name follows the rule (accounts from older masters may not)."""
    return _USERNAME.fullmatch(username) is not None


def check_username(username: str) -> str:
    """The name itself; BadRequest unless it follows the rule."""
    if not username_ok(username):
        raise BadRequest("username must be 1-64 ASCII letters (A-Z, a-z), digits, '.', '_' or '-'")
    return username


def fold_username(username: str) -> str:
    """The key two spellings of one account share ("Kim" and "kim"; never "\\u212aim")."""
    return username.translate(_FOLD)


@dataclass(frozen=True)
class Principal:
    """An authenticated operator (id 0, role 0 and empty name: anonymous, under public read)."""

    username: str
    role: int
    user_id: int = 0

    @property
    def anonymous(self) -> bool:
        return not self.user_id


ANONYMOUS = Principal("", 0)

"""Encryption at rest for channel secrets: Fernet with a key kept in the data directory."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

log = logging.getLogger("master.notify")

KEY_FILE = "notify_key"
PREFIX = "fernet:"


class SecretBox:
    """Encrypts and decrypts short strings with the master's notification key."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def in_dir(cls, data_dir: Path) -> SecretBox:
        """The key in `data_dir`, created (mode 0600) on first use."""
        path = data_dir / KEY_FILE
        try:
            return cls(path.read_bytes().strip())
        except FileNotFoundError:
            pass
        key = Fernet.generate_key()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key)
        log.info("generated the notification secrets key in %s", path)
        return cls(key)

    def seal(self, value: str) -> str:
        """The stored form of `value` ("" stays "")."""
        return PREFIX + self._fernet.encrypt(value.encode()).decode() if value else ""

    @staticmethod
    def is_sealed(stored: str) -> bool:
        """Whether a stored value is sealed (or empty, which needs no sealing)."""
        return not stored or stored.startswith(PREFIX)

    def open(self, stored: str) -> str:
        """The clear value; "" when it cannot be decrypted (another key), logged once per call."""
        if not stored:
            return ""
        if not stored.startswith(PREFIX):
            return stored  # written before encryption: used as is, sealed on the next save
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            log.error("a stored channel secret cannot be decrypted with %s; set it again", KEY_FILE)
            return ""

"""What the tests' HTTP clients share."""

from __future__ import annotations

import ssl

# httpx builds an SSL context for every client unless given one, at ~30 ms of CPU each;
# the tests make thousands of clients (all speaking plain HTTP to 127.0.0.1): one will do.
TLS = ssl.create_default_context()

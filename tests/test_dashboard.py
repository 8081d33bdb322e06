"""The dashboard's files: served to anyone, with the right types, nothing else reachable."""

from __future__ import annotations

import re

import httpx
import pytest

from master.gateway.dashboard import STATIC, load_files

from .conftest import MasterRunner
from .http import TLS


async def test_index_and_files_are_public_with_their_types(master: MasterRunner) -> None:
    async with httpx.AsyncClient(verify=TLS, base_url=master.gateway_url) as anonymous:
        index = await anonymous.get("/")
        assert index.status_code == 200
        assert index.headers["content-type"] == "text/html; charset=utf-8"
        assert "default-src 'self'" in index.headers["content-security-policy"]
        assert '<script type="module" src="/static/app.js">' in index.text
        for name, kind in (
            ("app.js", "text/javascript"),
            ("style.css", "text/css"),
            ("favicon.svg", "image/svg+xml"),
            ("index.html", "text/html"),
        ):
            r = await anonymous.get(f"/static/{name}")
            assert r.status_code == 200, name
            assert r.headers["content-type"].startswith(kind)
            assert r.content == (STATIC / name).read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/static/nope.js",
        "/static/../dashboard.py",
        "/static/..%2Fdashboard.py",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/static/..%5Cdashboard.py",
        "/static/",
        "/static//etc/passwd",
        "/index.html",
    ],
)
async def test_nothing_but_the_files_is_served(master: MasterRunner, path: str) -> None:
    # The router may first redirect to a cleaner path (`//` -> `/`); where it lands is a 404.
    async with httpx.AsyncClient(
        verify=TLS, base_url=master.gateway_url, follow_redirects=True
    ) as anonymous:
        r = await anonymous.get(path)
    assert r.status_code == 404, (path, r.text[:200])


def test_files_obey_the_content_security_policy() -> None:
    """`default-src 'self'`: no inline script or style, nothing loaded from elsewhere."""
    files = load_files()
    assert {"index.html", "app.js", "style.css"} <= files.keys()
    for name, (body, _) in files.items():
        text = body.decode()
        if name.endswith(".html"):
            assert not re.search(r"<script(?![^>]*\bsrc=)", text), name
            assert (
                "<style" not in text
                and "style=" not in text
                and " on" not in text.lower().replace(" one", "")
            ), name
        assert not re.search(r"(?:src|href)=[\"']?(?:https?:)?//", text), name
        assert "@import" not in text and "url(http" not in text, name


def test_every_imported_module_is_shipped() -> None:
    files = load_files()
    for name, (body, _) in files.items():
        if name.endswith(".js"):
            for imported in re.findall(r'from "\./([^"]+)"', body.decode()):
                assert imported in files, f"{name} imports {imported}, which is not served"

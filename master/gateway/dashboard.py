"""The dashboard: `/` and the static files under `/static/`, served to anyone (PUBLIC).

The files are plain ES modules, CSS and HTML (no build step). They are read
once when the app is built and served from memory, looked up by exact name in
that table: a name that is not one of the files, `../` and friends included,
is a 404, so no request can reach outside the folder.
"""

from __future__ import annotations

from pathlib import Path

from quart import Response
from quart_trio import QuartTrio

from ..model.errors import NotFound
from .auth import PUBLIC, requires

STATIC = Path(__file__).resolve().parent / "static"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


def load_files(folder: Path = STATIC) -> dict[str, tuple[bytes, str]]:
    """Every servable file of `folder` (not its subfolders): name -> (body, content type)."""
    return {
        path.name: (path.read_bytes(), CONTENT_TYPES[path.suffix])
        for path in sorted(folder.iterdir())
        if path.is_file() and path.suffix in CONTENT_TYPES
    }


def register(app: QuartTrio) -> None:
    files = load_files()

    def answer(name: str) -> Response:
        found = files.get(name)
        if found is None:
            raise NotFound(f"no dashboard file {name!r}")
        body, content_type = found
        return Response(body, content_type=content_type)

    @requires(PUBLIC)
    async def static_file(filename: str) -> Response:
        return answer(filename)

    @app.get("/")
    @requires(PUBLIC)
    async def dashboard() -> Response:
        return answer("index.html")

    # Quart registers `/static/<path:filename>` for the package's `static` folder on its own;
    # answer it here so it is public and served from the table above.
    if "static" in app.view_functions:
        app.view_functions["static"] = static_file
    else:
        app.add_url_rule("/static/<path:filename>", "static", static_file, methods=["GET"])

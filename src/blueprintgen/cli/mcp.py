"""`blueprintgen mcp`: the generator itself as an MCP server, for AI assistants."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from blueprintgen.cli import output


@output.reports_errors
def mcp(
    project: Annotated[
        Path | None,
        typer.Option(
            "--project",
            help="The one folder the server works in (default: the current folder); "
            "no tool reads or writes a project file outside it.",
            file_okay=False,
        ),
    ] = None,
    http: Annotated[
        bool,
        typer.Option(
            "--http",
            help="Serve Streamable HTTP on 127.0.0.1 (a bearer token, printed at start, guards it) "
            "instead of stdio.",
        ),
    ] = False,
    port: Annotated[
        int,
        typer.Option("--port", help="The HTTP port; 0 (the default) takes a free one.", min=0, max=65535),
    ] = 0,
) -> None:
    """Serve blueprintgen over MCP: list and show blueprints, describe, plan and change the
    project, validate; the same operations, safety and messages as the commands.

    Speaks stdio unless --http is given. Needs the optional `mcp` dependency
    (pip install 'blueprintgen[mcp]').
    """
    from blueprintgen.errors import UsageError

    try:
        import mcp.server.mcpserver  # noqa: F401 (only whether it imports)
    except ImportError as error:
        raise UsageError(
            f"`blueprintgen mcp` needs the MCP SDK 2.x, which cannot be imported ({error})",
            hint="pip install 'blueprintgen[mcp]'",
        ) from None
    if port and not http:
        raise UsageError("--port is for --http; over stdio there is no port")
    root = (project or Path.cwd()).resolve()
    if not root.is_dir():
        raise UsageError("no such folder", path=root, hint="give --project an existing folder")

    from blueprintgen import mcp_server

    if http:
        mcp_server.serve_http(root, port=port)
    else:
        mcp_server.serve_stdio(root)


def register(app: typer.Typer) -> None:
    """Add this module's commands."""
    app.command(
        epilog=output.examples(
            "blueprintgen mcp",
            "blueprintgen mcp --project ~/code/my-service",
            "blueprintgen mcp --http --port 8765",
        )
    )(mcp)

"""blueprintgen as an MCP server: the commands' operations as tools, for AI assistants.

One server serves one folder (``--project``), and no tool reads or writes a project
outside it (:mod:`.folder`). The tools (:mod:`.tools`) call :mod:`blueprintgen.operations`
as the commands do, so a plan, a conflict and an error are what the command would give;
schemas, the field grammar, blueprints and templates are resources (:mod:`.content`).
Over stdio by default; over Streamable HTTP on 127.0.0.1 with ``--http``, where every
request must carry the bearer token printed at start (:mod:`.http`).

Imported only by ``blueprintgen mcp``: the SDK costs more than half a second to import.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

INSTRUCTIONS = """\
blueprintgen generates FastAPI + MCP projects from JSON blueprints and grows them (resources
through every layer), keeping your edits to generated files (3-way merge). This server works in
one folder; every path argument is relative to it.

Plan before you write: each plan_* tool returns every file it would write with a unified diff and
writes nothing; the tool of the same name without plan_ applies it. A write that would lose edits
stops with the clashing hunks and writes nothing (conflict='markers' writes conflict markers
instead, force=true overwrites). describe_project shows the resources and which files are out of
sync; validate reports problems as data. Read blueprintgen://field-grammar before adding resources."""


def build(root: Path) -> MCPServer:
    """The server for the folder ``root`` (resolved), with every tool, resource and prompt."""
    from mcp.server.mcpserver import MCPServer

    from blueprintgen import __version__
    from blueprintgen.mcp_server import content, tools
    from blueprintgen.mcp_server.folder import ServedFolder

    folder = ServedFolder(root.resolve())
    # log_level: the SDK configures logging as it is built; INFO would log every call on stderr.
    server: MCPServer = MCPServer(
        "blueprintgen", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )
    tools.register(server, folder)
    content.register(server, folder)
    return server


def serve_stdio(root: Path) -> None:
    """Serve ``root`` over stdio until the client closes the connection."""
    build(root).run()


def serve_http(root: Path, *, port: int = 0) -> None:
    """Serve ``root`` over Streamable HTTP on 127.0.0.1 (a free port for 0), guarded by a token."""
    from blueprintgen.mcp_server import http

    http.serve(build(root), root, port=port)

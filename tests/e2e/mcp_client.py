"""An MCP client run with the generated project's Python: calls tools, prints JSON lines.

usage: mcp_client.py http URL TOKEN CALLS_JSON | stdio PYTHON MODULE CALLS_JSON
CALLS_JSON is a list of ["tool", {arguments}]; "__list__" lists the tools.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

from mcp import ClientSession, StdioServerParameters, stdio_client


async def drive(session: ClientSession, calls: list[list[Any]]) -> None:
    await session.initialize()
    for name, arguments in calls:
        if name == "__list__":
            tools = await session.list_tools()
            print(json.dumps({"tools": sorted(tool.name for tool in tools.tools)}), flush=True)
            continue
        result = await session.call_tool(name, arguments)
        text = [getattr(item, "text", "") for item in result.content]
        print(
            json.dumps(
                {
                    "tool": name,
                    "is_error": result.is_error,
                    "structured": result.structured_content,
                    "text": text,
                }
            ),
            flush=True,
        )


async def main() -> None:
    mode = sys.argv[1]
    calls = json.loads(sys.argv[4])
    if mode == "http":
        import httpx2
        from mcp.client.streamable_http import streamable_http_client

        headers = {"Authorization": f"Bearer {sys.argv[3]}"} if sys.argv[3] else {}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=30) as http,
            streamable_http_client(sys.argv[2], http_client=http) as (read, write, *_),
            ClientSession(read, write) as session,
        ):
            await drive(session, calls)
    else:
        params = StdioServerParameters(command=sys.argv[2], args=["-m", sys.argv[3]], env=dict(os.environ))
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await drive(session, calls)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except BaseException as error:  # report auth failures as data for the test
        print(json.dumps({"error": type(error).__name__, "detail": repr(error)[:2000]}), flush=True)
        sys.exit(3)

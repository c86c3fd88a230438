"""ASGI entry point: `uvicorn shop.main:app`."""

import gc

from shop.app import create_app

app = create_app()

# What is loaded by now (libraries, models, routes, the MCP server) lives as long
# as the process. Freezing it keeps the garbage collector from scanning it again
# in every full collection, a pause of tens of milliseconds for every request
# in flight under load; only objects made later are collected.
gc.collect()
gc.freeze()

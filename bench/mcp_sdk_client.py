"""Times N calls of one tool of a stdio MCP server through the official Python SDK client.
Prints {"calls", "median_us", "p90_us", "calls_per_s"} as JSON.

    python3 bench/mcp_sdk_client.py N TOOL ARGS_JSON -- COMMAND ARGS...
"""
import json
import os
import statistics
import sys
import time

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


async def main(n, tool, arguments, command):
    server = StdioServerParameters(command=command[0], args=command[1:])
    async with stdio_client(server, errlog=open(os.devnull, "w")) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            took = []
            started = time.perf_counter()
            for _ in range(n):
                at = time.perf_counter()
                await session.call_tool(tool, arguments)
                took.append((time.perf_counter() - at) * 1e6)
            wall = time.perf_counter() - started
    took.sort()
    print(json.dumps({"calls": n, "median_us": round(statistics.median(took)),
                      "p90_us": round(took[int((n - 1) * 0.9)]), "calls_per_s": n / wall}))


if __name__ == "__main__":
    split = sys.argv.index("--")
    anyio.run(main, int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]), sys.argv[split + 1:])

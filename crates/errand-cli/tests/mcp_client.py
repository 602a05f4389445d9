"""The official Python MCP SDK as a client of `errand mcp serve` (stdio): list the tools,
start an offline organize task, follow it to done (with progress), check the folder, undo
it, and check the folder is back byte for byte. Prints one JSON line of what it saw; exits 1
on the first thing that is wrong.

    ERRAND_BIN=target/debug/errand python3 crates/errand-cli/tests/mcp_client.py HOME_DIR FOLDER
"""
import anyio
import hashlib
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def listing(folder):
    out = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, folder)] = hashlib.sha256(f.read()).hexdigest()
    return out


def structured(result):
    if result.is_error:
        raise SystemExit(f"tool error: {result.content[0].text}")
    return json.loads(result.content[0].text)


async def main(home, folder):
    env = {"PATH": os.environ["PATH"], "HOME": home, "ERRAND_HOME": os.path.join(home, "errand"),
           "ERRAND_CONFIG": os.path.join(home, "config.toml")}
    server = StdioServerParameters(command=os.environ["ERRAND_BIN"], args=["mcp", "serve"], env=env)
    before = listing(folder)
    seen = {}
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            tools = sorted(t.name for t in (await session.list_tools()).tools)
            seen["tools"] = tools
            annotations = {t.name: t.annotations for t in (await session.list_tools()).tools}
            assert annotations["get_task"].read_only_hint is True, annotations["get_task"]
            assert annotations["undo"].destructive_hint is True, annotations["undo"]
            started = structured(await session.call_tool("start_task", {
                "outcome": "organize my downloads by type and date", "folders": [folder], "mode": "auto"}))
            task = started["id"]
            progress = []

            async def on_progress(done, total, message):
                progress.append(message)

            state = None
            for _ in range(30):
                shown = structured(await session.call_tool(
                    "get_task", {"id": task, "wait_s": 20}, progress_callback=on_progress))
                state = shown["task"]["state"]
                if state in ("done", "failed", "cancelled", "waiting"):
                    break
            seen["state"] = state
            seen["progress_events"] = len(progress)
            if state != "done":
                raise SystemExit(f"the task ended {state}: {json.dumps(shown)[:2000]}")
            organized = listing(folder)
            # Organized: files now sit in folders by type and date (hidden files stay put).
            if organized == before or sum("/" in p for p in organized) < len(organized) * 3 // 4:
                raise SystemExit(f"the folder was not organized: {sorted(organized)[:10]}")
            listed = structured(await session.call_tool("list_tasks", {}))
            assert any(t["id"] == task for t in listed["tasks"]), listed
            undone = structured(await session.call_tool("undo", {"id": task}))
            seen["undo"] = {k: v for k, v in undone.items() if isinstance(v, (int, str))}
            refused = await session.call_tool("start_task", {"outcome": "x", "folders": ["/etc"]})
            assert refused.is_error, "a folder outside [serve] roots must be refused"
            seen["outside_roots"] = refused.content[0].text
    after = listing(folder)
    if after != before:
        raise SystemExit(f"undo did not restore the folder: {len(before)} files before, {len(after)} after")
    seen["restored_files"] = len(after)
    print(json.dumps(seen))


if __name__ == "__main__":
    anyio.run(main, sys.argv[1], sys.argv[2])

"""Record exactly what blueprintgen renders, so the peers can render the same thing.

    python benchmarks/capture.py PLAN.json WORKDIR [--spec SPEC.yaml]

Runs `blueprintgen new project bench` (and `add resource --spec SPEC`) in this
process, with `Renderer._render` wrapped to record, for every file rendered:
its template (or embedded code), its path and path pattern, and the exact
context it was rendered with. The plan is what the floor and the copier
template are built from; it is made once, outside every timing.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

PROJECT = "bench"


def _group(params: dict[str, Any]) -> str:
    """Files of one resource go to one copier run; everything else to the shared one."""
    for key in ("resource", "resource_name"):
        value = params.get(key)
        if isinstance(value, str):
            return value
    return ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("plan", type=Path)
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--spec", type=Path)
    parser.add_argument("--add-flag", action="append", default=[], help="extra flag for `add resource`")
    args = parser.parse_args()

    from blueprintgen import render
    from blueprintgen.blueprint import placeholder_values
    from blueprintgen.cli import app

    phases: list[dict[str, Any]] = []
    original = render.Renderer._render

    def recording(self: render.Renderer, item: Any, context: dict[str, Any]) -> Any:
        result = original(self, item, context)
        instance = item.instance
        encoded = json.loads(json.dumps(context, default=str))
        if encoded != context:
            raise SystemExit(f"capture: the context of {item.path} does not survive JSON")
        phases[-1]["files"].append(
            {
                "path": item.path,
                "pattern": item.output.path,
                "template": item.output.template,
                "source": None if item.output.template else instance.blueprint.embedded_code or "",
                "context": encoded,
                "placeholders": placeholder_values(instance.params),
                "group": _group(instance.params),
                "instance": instance.label,
            }
        )
        phases[-1]["template_dirs"] = [str(d) for d in self.template_dirs]
        return result

    render.Renderer._render = recording  # type: ignore[method-assign]

    def cli(name: str, argv: list[str], cwd: Path) -> None:
        phases.append({"name": name, "files": [], "template_dirs": []})
        here = Path.cwd()
        os.chdir(cwd)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                try:
                    app(argv, standalone_mode=False)
                except SystemExit as exit_:
                    if exit_.code not in (0, None):
                        raise
        finally:
            os.chdir(here)

    os.environ["BLUEPRINTGEN_NO_CACHE"] = "1"
    args.workdir.mkdir(parents=True, exist_ok=True)
    project = args.workdir / PROJECT
    cli("project", ["new", "project", PROJECT, "--output", str(project), "--no-git", "--yes"], args.workdir)
    if args.spec is not None:
        cli(
            "resources",
            ["add", "resource", "--spec", str(args.spec.resolve()), "--yes", *args.add_flag],
            project,
        )
    for phase in phases:
        if not phase["files"]:
            raise SystemExit(f"capture: the {phase['name']} run rendered nothing")
    args.plan.write_text(json.dumps({"project": PROJECT, "phases": phases}), encoding="utf-8")
    print(f"captured {sum(len(p['files']) for p in phases)} files in {len(phases)} phase(s)", file=sys.stderr)


if __name__ == "__main__":
    main()

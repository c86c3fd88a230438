"""The floor: plain Jinja2 renders the same templates with the same contexts and writes the files.

    python benchmarks/floor.py PLAN.json PHASE OUTDIR

Nothing else: no schema, no graph, no formatting, no manifest, no bytecode cache.
The plan (made by capture.py) lists each file's template and context; the
filters are blueprintgen's own naming functions, as the templates need them.
"""

import json
import sys
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from blueprintgen.render import FILTERS, view_globals


def main() -> None:
    plan_path, phase_name, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    plan = json.loads(Path(plan_path).read_text(encoding="utf-8"))
    phase = next(p for p in plan["phases"] if p["name"] == phase_name)
    env = Environment(
        loader=FileSystemLoader(phase["template_dirs"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(FILTERS)
    env.globals.update(view_globals())
    made: set[Path] = set()
    for item in phase["files"]:
        template = env.get_template(item["template"]) if item["template"] else env.from_string(item["source"])
        text = template.render(**item["context"])
        if text and not text.endswith("\n"):
            text += "\n"
        target = out / item["path"]
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()

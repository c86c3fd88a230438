"""Build copier templates from a captured plan: the same .j2 files, the same variables.

For each phase (project, resources) the rendered files are grouped by resource
(files of no resource form the "shared" group). Each distinct group shape becomes
one copier template:

    tpl-K/copier.yml            one variable per context key (+ `ph`, the path placeholders)
    tpl-K/tree/<pattern>.j2     the blueprint's template file, copied unchanged, at its
                                output path pattern ({package} -> {{ ph.package }})
    tpl-K/project/, resource/   every template folder, so {% import %} finds the macros

and one copier copy per group renders it (resources: one copy per resource).
The templates are written at run time under a scratch folder; nothing is committed.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import yaml

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _merge_blueprint(values: list[dict[str, Any]]) -> dict[str, Any]:
    """One `blueprint` value for a whole copy: blueprintgen gives each instance its own."""
    merged: dict[str, Any] = dict(values[0])
    targets: dict[str, Any] = {}
    for value in values:
        targets.update(value.get("performance_targets") or {})
    merged["performance_targets"] = targets
    return merged


def build(plan_path: Path, base: Path) -> tuple[Path, dict[str, Any]]:
    """Write the copier templates and a jobs file; returns (jobs file, facts for the notes)."""
    plan = json.loads(plan_path.read_text(encoding="utf-8"))
    base.mkdir(parents=True, exist_ok=True)
    templates: dict[str, Path] = {}
    jobs: dict[str, list[dict[str, Any]]] = {}
    conflicts = 0
    for phase in plan["phases"]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for item in phase["files"]:
            groups.setdefault(item["group"], []).append(item)
        phase_jobs: list[dict[str, Any]] = []
        for files in groups.values():
            shape = [(f["pattern"], f["template"] or f["source"]) for f in files]
            key = hashlib.sha1(json.dumps([phase["template_dirs"], shape]).encode()).hexdigest()[:12]
            if key not in templates:
                templates[key] = _write_template(base / f"tpl-{key}", files, phase["template_dirs"])
            data: dict[str, Any] = {}
            placeholders: dict[str, str] = {}
            for item in files:
                for name, value in item["context"].items():
                    if name == "blueprint":
                        continue
                    if name in data and data[name] != value:
                        conflicts += 1
                    data.setdefault(name, value)
                placeholders.update(item["placeholders"])
            data["blueprint"] = _merge_blueprint([f["context"]["blueprint"] for f in files])
            data["ph"] = placeholders
            phase_jobs.append({"template": str(templates[key]), "data": data})
        jobs[phase["name"]] = phase_jobs
    jobs_path = base / "jobs.json"
    jobs_path.write_text(json.dumps(jobs), encoding="utf-8")
    facts = {
        "templates": len(templates),
        "copies": {name: len(items) for name, items in jobs.items()},
        "conflicting_values": conflicts,
    }
    return jobs_path, facts


def _write_template(folder: Path, files: list[dict[str, Any]], template_dirs: list[str]) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for source in reversed(template_dirs):  # the first folder wins, as in blueprintgen's loader
        shutil.copytree(source, folder, dirs_exist_ok=True)
    names = sorted({name for item in files for name in item["context"]} | {"ph"})
    config: dict[str, Any] = {
        "_subdirectory": "tree",
        "_templates_suffix": ".j2",
        "_envops": {
            "trim_blocks": True,
            "lstrip_blocks": True,
            "keep_trailing_newline": True,
            "autoescape": False,
            "undefined": "jinja2.StrictUndefined",
        },
        "_jinja_extensions": ["copier_ext.BlueprintFilters"],
    }
    for name in names:
        config[name] = {"type": "yaml", "when": False}
    (folder / "copier.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    tree = folder / "tree"
    for item in files:
        relative = PLACEHOLDER.sub(lambda m: "{{ ph." + m.group(1) + " }}", item["pattern"]) + ".j2"
        target = tree / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if item["template"]:
            source = next(
                Path(d) / item["template"] for d in template_dirs if (Path(d) / item["template"]).is_file()
            )
            shutil.copyfile(source, target)
        else:
            target.write_text(item["source"], encoding="utf-8")
    return folder

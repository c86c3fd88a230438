"""Render a phase with copier: one `run_copy` per group (the project, then each resource).

    python benchmarks/copier_run.py JOBS.json PHASE OUTDIR

JOBS.json (written by copier_template.py) lists, per phase, the copier template
folder and the answers of each copy, in blueprintgen's order.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # copier_ext for _jinja_extensions

from copier import run_copy


def main() -> None:
    jobs_path, phase_name, out = sys.argv[1], sys.argv[2], sys.argv[3]
    jobs = json.loads(Path(jobs_path).read_text(encoding="utf-8"))
    for job in jobs[phase_name]:
        run_copy(
            job["template"],
            out,
            data=job["data"],
            defaults=True,
            overwrite=True,
            quiet=True,
            unsafe=True,  # _jinja_extensions is an "unsafe" feature; there are no tasks
            vcs_ref=None,
        )


if __name__ == "__main__":
    main()

"""Three-way merge of a user's edits with a new render (merge3 underneath)."""

from __future__ import annotations

from dataclasses import dataclass

YOURS = "yours"
NEW = "blueprintgen"
BASE = "base"


@dataclass(frozen=True)
class MergeResult:
    """The merged text (with conflict markers where both sides changed) and the conflicts."""

    text: str
    conflicts: list[str]

    @property
    def clean(self) -> bool:
        """Whether the merge needed no decision."""
        return not self.conflicts


def merge(base: str, yours: str, new: str) -> MergeResult:
    """Merge ``yours`` (the file on disk) and ``new`` (the fresh render) since ``base``."""
    import merge3

    base_lines = base.splitlines(keepends=True)
    your_lines = yours.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    merger = merge3.Merge3(base_lines, your_lines, new_lines)
    conflicts: list[str] = []
    for region in merger.merge_regions():
        if region[0] == "conflict":
            _, _, _, your_start, your_end, new_start, new_end = region
            hunk = [f"@@ your lines {your_start + 1}-{your_end}, new lines {new_start + 1}-{new_end} @@\n"]
            hunk += [f"- {line}" for line in your_lines[your_start:your_end]]
            hunk += [f"+ {line}" for line in new_lines[new_start:new_end]]
            conflicts.append("".join(hunk))
    text = "".join(
        merger.merge_lines(
            name_a=YOURS,
            name_b=NEW,
            name_base=BASE,
            start_marker="<<<<<<<",
            mid_marker="=======",
            end_marker=">>>>>>>",
        )
    )
    return MergeResult(text, conflicts)


def has_markers(text: str) -> bool:
    """Whether a file still holds conflict markers blueprintgen wrote."""
    return f"<<<<<<< {YOURS}" in text and f">>>>>>> {NEW}" in text

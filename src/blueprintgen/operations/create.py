"""Creating a project: the rules for its name and folder, its first generation, its first commit."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from blueprintgen.operations.plans import Applied, Plan, ProjectLock, WriteOptions, holding, prepare
from blueprintgen.project import STATE_DIR

if TYPE_CHECKING:
    from blueprintgen.pipeline import Run as PipelineRun


def package_name(name: str) -> tuple[str, str]:
    """The project's distribution name and Python package, or UsageError saying why not
    (the rules are :func:`naming.check_package_name`'s)."""
    from blueprintgen import naming
    from blueprintgen.errors import UsageError

    try:
        package = naming.check_package_name(name)
    except naming.InvalidNameError as error:
        raise UsageError(str(error), hint=error.hint) from None
    return naming.kebab(package), package


def is_empty(folder: Path, *, also: str = ".git") -> bool:
    """Whether a new project may go into ``folder`` without --force (a bare .git is fine, and ``also``)."""
    return not folder.exists() or not any(p.name not in {".git", also} for p in folder.iterdir())


@dataclass(frozen=True, kw_only=True)
class NewProjectPlan(Plan):
    """A planned new project; applying it also makes the first git commit (unless ``git`` is off)."""

    package: str
    where: Path
    """The project folder as the user would type it: relative to where they are, when below it."""
    git: bool = True

    @property
    def next_steps(self) -> list[str]:
        """The commands to run next, in order: each works once those before it ran.

        The install is the test extra, which needs nothing but PyPI; the dev extra (the
        pinned blueprintgen, pre-commit) is the generated README's, since it needs a
        blueprintgen that pip can find. The tables come before the first account, and a
        new resource's migration before the server serves it.
        """
        return [
            f"cd {self.where}",
            "python3 -m venv .venv && .venv/bin/pip install -e '.[test]'",
            ".venv/bin/python -m pytest",
            ".venv/bin/alembic upgrade head",
            f".venv/bin/{self.package.replace('_', '-')}-admin create-admin --email admin@example.com",
            "blueprintgen add resource item --field name:str --field price:decimal",
            ".venv/bin/alembic upgrade head",
            f".venv/bin/uvicorn {self.package}.main:app --reload",
        ]

    def apply(self) -> Applied:
        """Write the project, then commit it to a new git repository when asked to.

        When the folder did not exist as the plan was made, it is created now, under the
        project lock, and removed again (with any parents created for it) if the write fails.
        """
        if self.lock is None:
            return replace(self, lock=self._lock_new_folder()).apply()
        applied = super().apply()
        reason = commit_all(self.project) if self.git else None
        if reason is None:
            return applied
        return Applied(applied.written, (*applied.warnings, f"no git repository created: {reason}"))

    def _lock_new_folder(self) -> ProjectLock:
        from blueprintgen.errors import ProjectError

        created = make_folder(self.project)
        with holding(self.project, WriteOptions(), unless_applied=lambda: remove_folders(created)) as lock:
            if not created and not is_empty(self.project, also=STATE_DIR):
                raise ProjectError(
                    "another run created files in the folder since this plan was made; nothing was written",
                    path=self.project,
                    hint="run `blueprintgen new project` again to see them",
                )
            return lock


def create_project(
    name: str,
    *,
    cwd: Path,
    into: Path | None = None,
    database: str = "sqlite",
    docker: bool = True,
    git: bool = True,
    options: WriteOptions | None = None,
) -> NewProjectPlan:
    """Plan a new project NAME in ``into`` (default: ``cwd``/NAME).

    Refuses a name that is not a Python identifier or that would shadow a module the
    project imports, and a folder with files in it unless ``options.force``.
    """
    from blueprintgen import __version__, catalog, pipeline
    from blueprintgen.errors import ProjectError
    from blueprintgen.instances import Request
    from blueprintgen.project import (
        PROJECT_BLUEPRINT,
        PROJECT_FILE,
        ProjectFile,
        project_values,
        sync_project_migrations,
    )

    options = options or WriteOptions()
    project_name, package = package_name(name)
    target = (into or cwd / name).resolve()
    pipeline.check_target(target)
    if not is_empty(target) and not options.force:
        raise ProjectError(
            "the folder is not empty; nothing was written",
            path=target,
            hint="choose another --output, or --force to generate into it (your own files are kept; "
            "files that would be replaced are listed first)",
        )
    project_file = ProjectFile(project_name, package, {"db": database, "docker": docker}, {}, __version__)
    sync_project_migrations(project_file)
    try:
        where = target.relative_to(cwd.resolve())
    except ValueError:
        where = target

    def plan() -> PipelineRun:
        found = catalog.load(target if (target / "blueprints").is_dir() else None)
        requests = [Request(PROJECT_BLUEPRINT, project_values(project_file))]
        own = {PROJECT_FILE: project_file.to_yaml()}
        if not (target / ".env").exists():
            # Written once, here: an own file is never tracked by the manifest, so no
            # upgrade or drift check ever sees it; .gitignore keeps it out of git.
            own[".env"] = secret_env()
        return prepare(target, found, requests, options, extra_files=own)

    if not target.exists():
        # Nothing there to read, so nothing to lock yet: planning writes nothing, and
        # ``apply`` creates the folder and takes the lock for the write.
        return NewProjectPlan(plan(), package=package, where=where, git=git)
    with holding(target, options) as lock:
        return NewProjectPlan(plan(), package=package, where=where, git=git, lock=lock)


def secret_env() -> str:
    """A new project's .env: a random SECRET_KEY of its own (the app refuses a weak one)."""
    import secrets

    return (
        "# Written once by `blueprintgen new project`; git-ignored. Keep it secret.\n"
        f"SECRET_KEY={secrets.token_urlsafe(48)}\n"
    )


def make_folder(target: Path) -> list[Path]:
    """Create ``target`` and its missing parents; the folders created, innermost first."""
    from blueprintgen.errors import WriteError, os_error_hint

    missing = [folder for folder in (target, *target.parents) if not folder.exists()]
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        remove_folders(missing)
        raise WriteError(
            f"cannot create the project folder ({error.strerror or error}); nothing was written",
            path=target,
            hint=os_error_hint(error),
        ) from None
    return missing


def remove_folders(folders: list[Path]) -> None:
    """Remove the folders a failed new project created, innermost first, as long as they are
    empty: what the rolled-back write left of them, never a file someone put there meanwhile."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def commit_all(folder: Path) -> str | None:
    """Initialise a repository in ``folder`` with a first commit; the reason when that was not possible."""
    if shutil.which("git") is None:
        return "git is not installed"
    inside = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=folder, capture_output=True, text=True, check=False
    )
    if inside.returncode == 0 and Path(inside.stdout.strip()).resolve() != folder.resolve():
        return f"already inside the git repository {inside.stdout.strip()}"
    identity = ["-c", "user.name=blueprintgen", "-c", "user.email=blueprintgen@localhost"]
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", *identity, "commit", "-q", "-m", "Generate project with blueprintgen", "--no-verify"],
    ):
        result = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            said = (result.stderr or result.stdout).strip()
            return said.splitlines()[-1] if said else "git failed"
    return None

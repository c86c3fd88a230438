"""`blueprintgen new project NAME`: a complete, runnable FastAPI + MCP project."""

from __future__ import annotations

import shutil
import subprocess
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from blueprintgen.cli import output
from blueprintgen.cli.options import Diff, DryRun, Force, Formatter, Yes, finish

app = typer.Typer(help="Create a new project.", no_args_is_help=True, rich_markup_mode=output.HELP_MARKUP)

# Packages a generated project imports: a project named like one would shadow it.
_SHADOWED = {
    "alembic",
    "app",
    "asyncpg",
    "fastapi",
    "httpx",
    "jwt",
    "mcp",
    "pydantic",
    "pydantic_settings",
    "pytest",
    "redis",
    "slowapi",
    "sqlalchemy",
    "starlette",
    "structlog",
    "tests",
    "uvicorn",
    "blueprintgen",
}


class Database(StrEnum):
    """The database a project defaults to."""

    sqlite = "sqlite"
    postgres = "postgres"


def package_name(name: str) -> tuple[str, str]:
    """The project's distribution name and Python package, or a clear refusal."""
    from blueprintgen import naming
    from blueprintgen.errors import UsageError

    try:
        package = naming.check_identifier(name, "project name", allow_builtins=True)
    except ValueError as error:
        raise UsageError(str(error), hint="use letters, digits, - or _, starting with a letter") from None
    if package in sys.stdlib_module_names or package in _SHADOWED:
        raise UsageError(
            f"project name {name!r} gives the package {package!r}, which would shadow the module of that name",
            hint=f"choose another name, e.g. {package}-service",
        )
    return naming.kebab(package), package


def _is_empty(folder: Path) -> bool:
    return not folder.exists() or not any(p.name != ".git" for p in folder.iterdir())


def _git_commit(folder: Path) -> str | None:
    """Initialise a repository with a first commit; the reason when that was not possible."""
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
            return (
                (result.stderr or result.stdout).strip().splitlines()[-1]
                if (result.stderr or result.stdout)
                else "git failed"
            )
    return None


@app.command("project")
@output.reports_errors
def project(
    name: Annotated[str, typer.Argument(help="Project name, e.g. my-service (package my_service).")],
    into: Annotated[
        Path | None, typer.Option("--output", "-o", help="Folder to create (default: ./NAME).")
    ] = None,
    db: Annotated[
        Database, typer.Option("--db", help="Default database: sqlite (zero set-up) or postgres.")
    ] = Database.sqlite,
    no_docker: Annotated[
        bool, typer.Option("--no-docker", help="No Dockerfile or docker-compose.yml.")
    ] = False,
    no_git: Annotated[bool, typer.Option("--no-git", help="Do not initialise a git repository.")] = False,
    formatter: Formatter = "ruff",
    dry_run: DryRun = False,
    diff: Diff = False,
    yes: Yes = False,
    force: Force = False,
) -> None:
    """Generate a runnable FastAPI + MCP project: REST API, MCP server, auth, database, tests."""
    from blueprintgen import __version__, catalog, pipeline
    from blueprintgen.errors import ProjectError
    from blueprintgen.instances import Request
    from blueprintgen.project import PROJECT_BLUEPRINT, PROJECT_FILE, ProjectFile, project_values

    project_name, package = package_name(name)
    target = (into or Path.cwd() / name).resolve()
    pipeline.check_target(target)
    if not _is_empty(target) and not force:
        raise ProjectError(
            "the folder is not empty; nothing was written",
            path=target,
            hint="choose another --output, or --force to generate into it (your own files are kept; "
            "files that would be replaced are listed first)",
        )
    options = {"db": db.value, "docker": not no_docker}
    project_file = ProjectFile(project_name, package, options, {}, __version__)
    with output.working("Resolving blueprints, rendering and formatting…"):
        found = catalog.load(target if (target / "blueprints").is_dir() else None)
        run = pipeline.prepare(
            target,
            found,
            [Request(PROJECT_BLUEPRINT, project_values(project_file))],
            pipeline.Options(formatter=formatter.lower(), force=force),
            extra_files={PROJECT_FILE: project_file.to_yaml()},
        )
    if not finish(run, dry_run=dry_run, diff=diff, yes=yes):
        return
    if not no_git:
        reason = _git_commit(target)
        if reason:
            output.warn(f"no git repository created: {reason}")
    show_next_steps(target, package)


def show_next_steps(target: Path, package: str) -> None:
    """What to run next."""
    from rich.panel import Panel
    from rich.text import Text

    try:
        where = target.relative_to(Path.cwd())
    except ValueError:
        where = target
    steps = "\n".join(
        [
            f"cd {where}",
            "python3 -m venv .venv && .venv/bin/pip install -e '.[test]'",
            ".venv/bin/python -m pytest",
            f".venv/bin/{package.replace('_', '-')}-admin create-admin --email admin@example.com --password 'change-me-please'",
            f".venv/bin/uvicorn {package}.main:app --reload",
            "blueprintgen add resource item --field name:str --field price:decimal",
        ]
    )
    output.console().print(
        Panel(Text(steps, overflow="fold"), title="next steps", title_align="left", expand=False),
        soft_wrap=False,
    )

"""What holds for every command: the exit-code table, examples in every help, one meaning
per short flag, completion of blueprint names, quiet and verbose output, name rules."""

from __future__ import annotations

import re
import signal
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from blueprintgen.cli import app
from blueprintgen.errors import ExitCode
from blueprintgen.fieldgrammar import FIELD_SPEC_TEXT
from tests.conftest import REPO, Workspace, simple_blueprint


@pytest.fixture
def proj(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A new project (no git) as the current directory."""
    result = ws.run("new", "project", "shop-api", "--no-git")
    assert result.exit_code == ExitCode.DONE, result.output
    monkeypatch.chdir(ws.root / "shop-api")
    ws.root = ws.root / "shop-api"
    return ws


def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the CLI believe a person is at the terminal (CliRunner's input is not one)."""
    from blueprintgen.cli import output

    monkeypatch.setattr(output, "at_terminal", lambda: True)


def greeting_generated_then_changed(ws: Workspace) -> None:
    """A generated file that the next `generate greeting` would update."""
    ws.blueprint("greeting", simple_blueprint())
    assert ws.run("generate", "greeting", "--set", "who=world").exit_code == ExitCode.DONE
    changed = simple_blueprint()
    changed["template"]["embedded_code"] += "\nFAREWELL = 'bye'\n"
    ws.blueprint("greeting", changed)


# --- the exit-code table: one test per row ------------------------------------------


def test_exit_0_done(ws: Workspace) -> None:
    ws.blueprint("greeting", simple_blueprint())
    result = ws.run("generate", "greeting", "--set", "who=world")
    assert result.exit_code == ExitCode.DONE == 0, result.output


def test_exit_1_problems_found(proj: Workspace) -> None:
    (proj.root / "src/shop_api/main.py").unlink()
    result = proj.run("validate", "--check-all")
    assert result.exit_code == ExitCode.PROBLEMS == 1, result.output
    assert "src/shop_api/main.py" in result.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["add", "resource", "2fast"], "must not start with a digit"),
        (["add", "resource", "gadget", "--field", "size:integr"], "unknown type 'integr'"),
        (["add", "resource", "gadget", "--field", "owner:ref:user"], "unknown resource 'user'"),
        (["add", "resource", "gadgets"], "looks plural"),
        (["add", "resource", "gadget", "--methods", "fly"], "--methods"),
        (["add", "resource", "gadget", "--no-such-option"], "No such option"),
        (["generate", "no-such-blueprint"], "no blueprint named 'no-such-blueprint'"),
        (["generate", "project-docker", "--set", "project_name"], "not of the form key=value"),
        (["generate", "project-docker", "--set", "nope=1"], "unknown parameter 'nope'"),
        (["show", "no-such-blueprint"], "no blueprint named"),
        (["graph", "no-such-blueprint"], "no blueprint named"),
        (["graph", "--format", "svg"], "Invalid value"),
    ],
)
def test_exit_2_usage_error(proj: Workspace, args: list[str], said: str) -> None:
    before = proj.snapshot()
    result = proj.run(*args)
    assert result.exit_code == ExitCode.USAGE == 2, result.output
    assert said in result.stderr and "Traceback" not in result.output
    assert proj.snapshot() == before


@pytest.mark.parametrize("name", ["test", "json", "fastapi", "pytest", "2fast"])
def test_exit_2_for_a_project_name_that_cannot_be(ws: Workspace, name: str) -> None:
    result = ws.run("new", "project", name, "--no-git")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert not (ws.root / name).exists()


def test_exit_3_declined_at_the_prompt(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    greeting_generated_then_changed(ws)
    before = ws.snapshot()
    at_a_terminal(monkeypatch)
    result = ws.run("generate", "greeting", "--set", "who=world", input="n\n")
    assert result.exit_code == ExitCode.NOT_APPLIED == 3, result.output
    assert "Update 1 existing file?" in result.stdout
    assert "not applied: nothing was written: declined" in result.stderr
    assert ws.snapshot() == before


def test_exit_3_upgrade_needs_yes_off_a_terminal(proj: Workspace) -> None:
    (proj.root / "src/shop_api/main.py").unlink()
    before = proj.snapshot()
    result = proj.run("upgrade", "--restore")
    assert result.exit_code == ExitCode.NOT_APPLIED, result.output
    assert "create" in result.stdout and "src/shop_api/main.py" in result.stdout  # the plan is shown
    assert "--yes" in result.stderr
    assert proj.snapshot() == before
    assert proj.run("upgrade", "--restore", "--yes").exit_code == ExitCode.DONE
    assert proj.run("upgrade").exit_code == ExitCode.DONE, "nothing to apply is not 'not applied'"


@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [
        (signal.SIGINT, ExitCode.INTERRUPTED, "interrupted"),
        (signal.SIGTERM, ExitCode.TERMINATED, "terminated"),
    ],
)
def test_exit_130_interrupted_while_writing(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, signum: int, code: ExitCode, said: str
) -> None:
    """Ctrl-C (or SIGTERM) in the middle of the write: rolled back, and the shell's 130 (143)."""
    from blueprintgen import transaction

    greeting_generated_then_changed(ws)
    before = ws.snapshot()
    real_replace = transaction.FS.replace

    def interrupted_replace(source: Path, destination: Path) -> None:
        signal.raise_signal(signum)  # the write's handler raises from here
        real_replace(source, destination)

    monkeypatch.setattr(transaction.FS, "replace", interrupted_replace)
    result = ws.run("generate", "greeting", "--set", "who=world", "--yes")
    assert result.exit_code == code == 128 + signum, result.output
    assert said in result.stderr and "every file is as it was" in result.stderr, result.stderr
    assert ws.snapshot() == before


def test_exit_130_interrupted_while_planning_or_at_the_prompt(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from blueprintgen.operations import blueprints

    greeting_generated_then_changed(ws)
    before = ws.snapshot()
    at_a_terminal(monkeypatch)
    at_prompt = ws.run("generate", "greeting", "--set", "who=world", input="")  # no answer: Abort
    assert at_prompt.exit_code == ExitCode.INTERRUPTED, at_prompt.output

    def ctrl_c(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(blueprints, "prepare", ctrl_c)
    planning = ws.run("generate", "greeting", "--set", "who=world")
    assert planning.exit_code == ExitCode.INTERRUPTED, planning.output
    assert "interrupted" in planning.stderr
    assert ws.snapshot() == before


def test_the_readme_gives_the_same_table() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Exit codes") :]
    for code in ExitCode:
        assert re.search(rf"^\| {int(code)} \|", table, re.MULTILINE), (
            f"exit code {int(code)} not in the README"
        )


# --- help -------------------------------------------------------------------------


def commands() -> Iterator[tuple[list[str], Any]]:
    """Every command and group under the root (the root too), with its path of names
    (typer's click commands: typer keeps a click of its own)."""

    def walk(path: list[str], command: Any) -> Iterator[tuple[list[str], Any]]:
        yield path, command
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk([*path, name], sub)

    yield from walk([], typer.main.get_command(app))


COMMANDS = [path for path, _ in commands()]


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: " ".join(path) or "blueprintgen")
def test_every_help_has_examples_of_that_command(ws: Workspace, path: list[str]) -> None:
    result = ws.run(*path, "--help")
    assert result.exit_code == ExitCode.DONE
    examples = result.stdout[result.stdout.index("Examples:") :].splitlines()[1:]
    shown = [line.strip() for line in examples if line.strip()]
    assert shown, result.stdout
    assert all(line.startswith(("blueprintgen ", "cd ")) for line in shown), shown
    assert any(" ".join(["blueprintgen", *path]) in line for line in shown), shown


def test_each_short_flag_means_one_thing_everywhere() -> None:
    meanings: dict[str, set[str]] = {}
    for _, command in commands():
        for parameter in command.params:
            if parameter.param_type_name != "option":
                continue
            shorts = [opt for opt in parameter.opts if re.fullmatch(r"-\w", opt)]
            longs = [opt for opt in parameter.opts if opt.startswith("--")]
            for short in shorts:
                meanings.setdefault(short, set()).update(longs)
    assert {short: longs for short, longs in meanings.items() if len(longs) != 1} == {}
    assert meanings["-f"] == {"--field"}
    assert meanings["-q"] == {"--quiet"} and meanings["-v"] == {"--verbose"}


def test_plain_help_keeps_the_field_grammar_lines(ws: Workspace) -> None:
    result = ws.run("add", "resource", "--help")
    shown = {line.strip() for line in result.stdout.splitlines()}
    for line in FIELD_SPEC_TEXT.splitlines():
        assert line.strip() in shown, f"rewrapped: {line!r}"


# --- completion -------------------------------------------------------------------


@pytest.mark.parametrize("command", ["show", "generate", "graph"])
def test_blueprint_names_complete(ws: Workspace, command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ws.blueprint("greeting", simple_blueprint())
    monkeypatch.setenv("_BLUEPRINTGEN_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", f"blueprintgen {command} project-d")
    monkeypatch.setenv("COMP_CWORD", "2")
    result = ws.runner.invoke(app, [], prog_name="blueprintgen")
    assert result.output.split() == ["project-database", "project-docker"], result.output
    monkeypatch.setenv("COMP_WORDS", f"blueprintgen {command} gree")
    result = ws.runner.invoke(app, [], prog_name="blueprintgen")
    assert result.output.split() == ["greeting"], "the project's own blueprints complete too"


# --- quiet and verbose output ------------------------------------------------------


def test_new_project_shows_counts_and_next_steps_not_every_file(ws: Workspace) -> None:
    result = ws.run("new", "project", "shop-api", "--no-git")
    assert result.exit_code == ExitCode.DONE, result.output
    assert not re.search(r"^create ", result.stdout, re.MULTILINE), result.stdout
    assert re.search(r"^plan: \d+ create$", result.stdout, re.MULTILINE)
    assert "next steps" in result.stdout and "cd shop-api" in result.stdout
    listed = ws.run("new", "project", "other-api", "--no-git", "--verbose")
    assert re.search(r"^create +src/other_api/main\.py$", listed.stdout, re.MULTILINE), listed.stdout


def test_quiet_prints_one_summary_line(proj: Workspace) -> None:
    result = proj.run("add", "resource", "gadget", "--field", "name:str", "--quiet")
    assert result.exit_code == ExitCode.DONE, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and re.search(r"files written to .* \(\d+ create, 1 update\)$", lines[0]), lines
    dry = proj.run("add", "resource", "widget", "-q", "--dry-run")
    assert dry.stdout.strip().splitlines() == [dry.stdout.strip()]
    assert dry.stdout.startswith("dry run: nothing was written (")
    quiet_new = proj.run("new", "project", "other-api", "--no-git", "-q", "--output", "../other-api")
    assert len(quiet_new.stdout.strip().splitlines()) == 1, quiet_new.stdout


def test_validate_is_one_line_on_success_and_lists_with_verbose(proj: Workspace) -> None:
    result = proj.run("validate", "--check-all")
    assert result.exit_code == ExitCode.DONE
    assert result.stdout.strip().splitlines() == [
        f"✓ {_count_blueprints(proj)} blueprints valid; project files in sync"
    ]
    verbose = proj.run("validate", "--check-all", "--verbose")
    assert len(verbose.stdout.strip().splitlines()) == _count_blueprints(proj) + 1
    assert "project-docker" in verbose.stdout
    assert proj.run("validate", "--check-all", "--quiet").stdout == ""


def _count_blueprints(ws: Workspace) -> int:
    import json

    listed = ws.run("list", "--json")
    return len(json.loads(listed.stdout))


def test_validate_with_problems_prints_them_and_one_summary_line(proj: Workspace) -> None:
    (proj.root / "src/shop_api/main.py").unlink()
    result = proj.run("validate", "--check-all")
    assert result.exit_code == ExitCode.PROBLEMS
    assert result.stdout.strip().splitlines() == [
        f"✓ {_count_blueprints(proj)} blueprints valid; 1 project file out of sync"
    ]
    assert "src/shop_api/main.py" in result.stderr


# --- generate in a project; names ---------------------------------------------------


def test_generate_in_a_project_takes_its_parameters_from_the_project_file(proj: Workspace) -> None:
    result = proj.run("generate", "project-docker", "--dry-run")
    assert result.exit_code == ExitCode.DONE, result.output
    assert "unchanged" in result.stdout  # the same values as the project was generated with


def test_generate_outside_a_project_names_every_missing_parameter_at_once(ws: Workspace) -> None:
    result = ws.run("generate", "project-docker")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stderr.count("error:") == 1
    assert "project_name (string)" in result.stderr and "package (string)" in result.stderr
    assert "--set project_name=VALUE --set package=VALUE" in result.stderr


def test_a_plural_resource_name_says_what_to_do(proj: Workspace) -> None:
    result = proj.run("add", "resource", "users")
    assert result.exit_code == ExitCode.USAGE
    assert "'userses'" in result.stderr and "singular ('user')" in result.stderr
    assert "--plural" in result.stderr
    assert proj.run("add", "resource", "news", "--plural", "news_items").exit_code == ExitCode.DONE


def test_a_ref_to_a_missing_resource_says_how_to_add_it(proj: Workspace) -> None:
    result = proj.run("add", "resource", "gadget", "--field", "owner:ref:user")
    assert "blueprintgen add resource user" in result.stderr and "--spec" in result.stderr


def test_a_shadowing_project_name_gets_a_suggestion(ws: Workspace) -> None:
    result = ws.run("new", "project", "test", "--no-git")
    assert "shadow the module 'test' of the standard library" in result.stderr
    suggested = re.search(r"e\.g\. (\S+)", result.stderr)
    assert suggested is not None
    assert ws.run("new", "project", suggested.group(1), "--no-git").exit_code == ExitCode.DONE


def test_every_dependency_of_a_generated_project_is_a_refused_name() -> None:
    from blueprintgen.naming import PROJECT_IMPORTS

    # The distributions whose module is named otherwise.
    module_of = {
        "pyjwt": "jwt",
        "python_multipart": "multipart",
        "sentry_sdk": "sentry_sdk",
        "types_jsonschema": "jsonschema",  # type stubs of jsonschema
    }
    text = (REPO / "templates/project/pyproject.toml.j2").read_text(encoding="utf-8")
    project = tomllib.loads(re.sub(r"\{\{.*?\}\}", "x", text))["project"]
    extras = project["optional-dependencies"].values()
    requirements = [*project["dependencies"], *(requirement for extra in extras for requirement in extra)]
    for requirement in requirements:
        distribution = re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("-", "_")
        if distribution == "x":
            continue
        assert module_of.get(distribution, distribution) in PROJECT_IMPORTS, requirement


def test_a_console_that_cannot_show_every_character_gets_escapes_not_a_traceback(tmp_path: Path) -> None:
    """LANG=C or an ASCII code page: the work is done and reported, ✓ printed as an escape."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LANG": "C", "LC_ALL": "C"}
    result = subprocess.run(
        [sys.executable, "-m", "blueprintgen", "new", "project", "shop", "--no-git"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == ExitCode.DONE, result.stderr.decode("ascii", "replace")
    assert b"Traceback" not in result.stderr
    assert b"\\u2713" in result.stdout
    assert (tmp_path / "shop" / "blueprintgen.yaml").is_file()

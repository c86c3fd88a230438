"""Hostile and malformed input: every case ends in one message naming the file and place,
exit 1 (2 for the command line), fast, with nothing written — never a traceback or a hang.

The cases are those of issue 11 ("Every input gets a message; nothing hangs"): run-time
failures of conditions, unusable ``items`` schemas, deep nesting, NUL and lone
surrogates, impossible paths, non-UTF-8 templates, expressions Jinja would fold at
compile time, runaway templates, catastrophic patterns, NaN and duplicate keys,
templates outside their folder, and paths in ``.git/`` or ``.blueprintgen/``.
"""

from __future__ import annotations

import errno
import json
import time
from pathlib import Path
from typing import Any

import pytest

from blueprintgen import catalog, params
from blueprintgen.blueprint import Parameter
from tests.conftest import Workspace, simple_blueprint

FAST = 10.0
"""Seconds any refused input may take (each case takes well under one on a laptop)."""


def refused(ws: Workspace, args: list[str], *expected: str, code: int = 1) -> str:
    """Run the CLI; it must refuse with every ``expected`` fragment on stderr, quickly,
    without a traceback, leaving every file as it was."""
    before = ws.snapshot()
    started = time.monotonic()
    result = ws.run(*args)
    elapsed = time.monotonic() - started
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    for fragment in expected:
        assert fragment in result.stderr, f"{fragment!r} not in:\n{result.stderr}"
    assert ws.snapshot() == before, "a refused run must not write anything"
    assert elapsed < FAST, f"took {elapsed:.1f}s"
    return result.stderr


def generate(*sets: str) -> list[str]:
    return ["generate", "greeting", *(f"--set={s}" for s in sets or ("who=world",))]


def with_code(code: str) -> dict[str, Any]:
    data = simple_blueprint()
    data["template"]["embedded_code"] = code
    return data


def with_template(ws: Workspace, text: str | bytes, name: str = "greet.txt.j2") -> None:
    data = simple_blueprint()
    data["relationships"]["generates"] = [{"path": "greeting.txt", "template": name}]
    del data["template"]["embedded_code"]
    ws.blueprint("greeting", data)
    path = ws.root / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


# --- conditions that fail at run time -------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "says"),
    [
        ("1/0", "ZeroDivisionError: division by zero"),
        ("1+'a'", "TypeError: unsupported operand"),
        ("[].__class__", "unsafe"),
        ("who.mro()", "cannot be evaluated"),
        ("10**100000 > 1", "integer of about"),
    ],
)
def test_a_condition_failing_at_run_time_is_an_error_at_the_condition(
    ws: Workspace, expression: str, says: str
) -> None:
    data = simple_blueprint()
    data["condition"] = expression
    ws.blueprint("greeting", data)
    refused(ws, generate(), "blueprints/greeting.json:", "at /condition", "cannot be evaluated", says)


def test_a_failing_output_condition_names_its_pointer(ws: Workspace) -> None:
    data = simple_blueprint()
    data["relationships"]["generates"] = [{"path": "a.py", "condition": "who // 0"}]
    ws.blueprint("greeting", data)
    refused(ws, generate(), "at /relationships/generates/0/condition", "cannot be evaluated")


# --- items schemas that are no JSON Schema ---------------------------------------------


@pytest.mark.parametrize(
    ("items", "pointer"),
    [
        ({"type": 5}, "/parameters/tags/items/type"),
        ({"type": "strin"}, "/parameters/tags/items/type"),
        ({"minLength": "x"}, "/parameters/tags/items/minLength"),
        ({"enum": 3}, "/parameters/tags/items/enum"),
        ({"$ref": 5}, "/parameters/tags/items/$ref"),
        ({"items": 5}, "/parameters/tags/items/items"),
    ],
)
def test_an_items_schema_of_the_wrong_type_is_reported_by_every_command(
    ws: Workspace, items: dict[str, Any], pointer: str
) -> None:
    data = simple_blueprint()
    data["parameters"]["tags"] = {"type": "array", "items": items, "default": ["a"]}
    ws.blueprint("greeting", data)
    for command in (["list"], ["validate"], generate()):
        err = refused(ws, command, "blueprints/greeting.json:", f"at {pointer}", "not a JSON Schema")
        assert err.count("error:") == 1  # one place, one message (not one per vocabulary)


# --- nesting ---------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [65, 1000, 100_000])
def test_json_nested_too_deeply_in_a_blueprint(ws: Workspace, depth: int) -> None:
    ws.blueprint("deep", '{"metadata": ' + "[" * depth + "]" * depth + "}")
    refused(ws, ["validate"], "blueprints/deep.json:1:", "nested more than 64 levels deep")


def test_nesting_inside_strings_does_not_count(ws: Workspace) -> None:
    data = simple_blueprint()
    data["metadata"]["description"] = "[" * 500 + "{" * 500
    ws.blueprint("greeting", data)
    result = ws.run(*generate())
    assert result.exit_code == 0, result.output


def test_json_nested_too_deeply_in_the_manifest(ws: Workspace) -> None:
    ws.blueprint("greeting", simple_blueprint())
    assert ws.run(*generate()).exit_code == 0
    manifest = ws.root / ".blueprintgen" / "manifest.json"
    manifest.write_text('{"files": ' + "[" * 5000 + "]" * 5000 + "}", encoding="utf-8")
    refused(ws, generate(), ".blueprintgen/manifest.json", "the manifest is damaged", "nested more than 64")


def test_a_duplicate_key_in_the_manifest(ws: Workspace) -> None:
    ws.blueprint("greeting", simple_blueprint())
    assert ws.run(*generate()).exit_code == 0
    manifest = ws.root / ".blueprintgen" / "manifest.json"
    manifest.write_text('{"files": {}, "files": {}}', encoding="utf-8")
    refused(ws, generate(), ".blueprintgen/manifest.json", "the manifest is damaged", "duplicate key 'files'")


# --- NUL and lone surrogates ----------------------------------------------------------


@pytest.mark.parametrize(
    ("escape", "says"),
    [("\\u0000", "a NUL character"), ("\\ud800", "a lone surrogate"), ("\\udfff", "a lone surrogate")],
)
@pytest.mark.parametrize(
    "where",
    ['"description": "Says hello.', '"name": "greeting', '"world', '"src/greeting_{who}'],
)
def test_nul_or_a_lone_surrogate_in_a_blueprint_string(
    ws: Workspace, escape: str, says: str, where: str
) -> None:
    text = json.dumps(simple_blueprint(), indent=2)
    assert where in text
    ws.blueprint("greeting", text.replace(where, where + escape, 1))
    err = refused(ws, ["validate"], "blueprints/greeting.json:", says, "no file or name can hold")
    assert "at /" in err


def test_a_lone_surrogate_in_a_key_names_the_object(ws: Workspace) -> None:
    text = json.dumps(simple_blueprint(), indent=2).replace('"who": {', '"who\\udc80": {', 1)
    ws.blueprint("greeting", text)
    refused(ws, ["validate"], "at /parameters", "a key of this object holds a lone surrogate")


def test_a_surrogate_pair_is_a_character_like_any_other(ws: Workspace) -> None:
    text = json.dumps(simple_blueprint(), indent=2).replace("Says hello.", "Says \\ud83d\\ude00.")
    ws.blueprint("greeting", text)
    assert ws.run("validate").exit_code == 0


@pytest.mark.parametrize(("value", "says"), [("a\x00b", "a NUL character"), ("a\udc80b", "a lone surrogate")])
def test_nul_or_a_lone_surrogate_in_a_parameter_value(ws: Workspace, value: str, says: str) -> None:
    ws.blueprint("greeting", simple_blueprint())
    refused(ws, generate(f"who={value}"), "parameter 'who'", says)


def test_nul_in_a_nested_parameter_value() -> None:
    parameter = Parameter("tags", "array")
    assert "NUL" in (params.problem(parameter, [{"k": ["x\x00"]}]) or "")
    assert params.problem(parameter, [{"k": ["x"]}]) is None


# --- impossible paths -----------------------------------------------------------------


def test_a_generated_path_through_an_existing_file(ws: Workspace) -> None:
    ws.blueprint("greeting", simple_blueprint())
    (ws.root / "src").write_text("a file where a folder would go\n", encoding="utf-8")
    refused(ws, generate(), "src/greeting_world.py", "src is a file, not a folder")


def test_a_name_over_255_bytes(ws: Workspace) -> None:
    ws.blueprint("greeting", simple_blueprint())
    err = refused(ws, generate("who=" + "é" * 130), "at /relationships/generates/0", "file systems allow 255")
    assert "TMPDIR" not in err


def test_a_long_path_of_short_names_is_fine(ws: Workspace) -> None:
    data = simple_blueprint()
    data["relationships"]["generates"] = ["/".join(["d" * 50] * 6) + "/{who}.py"]
    ws.blueprint("greeting", data)
    assert ws.run(*generate()).exit_code == 0


# --- templates: encoding, folding, runaway loops, size --------------------------------


def test_a_template_that_is_not_utf8(ws: Workspace) -> None:
    with_template(ws, b"line one\ncaf\xe9 {{ who }}\n")
    refused(ws, generate(), "templates/greet.txt.j2:2:4", "not UTF-8", "0xe9", "save the template as UTF-8")


def test_an_included_template_that_is_not_utf8(ws: Workspace) -> None:
    with_template(ws, "{% include 'part.j2' %}\n")
    (ws.root / "templates" / "part.j2").write_bytes(b"\xff\xfe")
    refused(ws, generate(), "rendering greet.txt.j2", "not UTF-8")


def _doubled(use: str, *, start: str = "['x']", step: str = "[ns.v, ns.v]") -> str:
    """A value built from itself 64 times: small in memory, 2**64 elements as text."""
    return (
        f"{{% set ns = namespace(v={start}) %}}{{% for i in range(64) %}}{{% set ns.v = {step} %}}"
        f"{{% endfor %}}{use}"
    )


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("{{ 10**100000 }}", "integer of about"),
        ("{{ 'a'*3000000000 }}", "3,000,000,000 characters"),
        ("{{ [0] * 10**9 }}", "1,000,000,000 characters"),
        ("{{ 'a'|center(3000000000) }}", "the result of center"),
        ("{{ 'a'.rjust(3000000000) }}", "the result of rjust"),
        ("{{ '%999999999d' % 1 }}", "a formatted field"),
        ("{{ '{:>999999999}'.format(1) }}", "a formatted field"),
        ("{{ '{0:{1}}'.format(1, 999999999) }}", "a formatted field"),
        ("{{ ('x' * 1000000)|replace('x', 'yyyyyyyyyy') }}", "the result of replace"),
        ("{% set s = 'ab' * 1500000 %}{% set s = s ~ s %}{{ s|length }}", "the joined string"),
        ("{{ range(3)|slice(1000000000)|list|length }}", "the result of slice"),
        (_doubled("{{ ns.v }}"), "list or mapping"),
        (_doubled("{{ ns.v ~ '' }}"), "list or mapping"),
        (_doubled("{{ ns.v|tojson }}", start="{'k': 'x'}", step="{'a': ns.v, 'b': ns.v}"), "list or mapping"),
        (_doubled("{{ '%s' % (ns.v,) }}"), "list or mapping"),
        (_doubled("{{ ''.join(ns.v|map('string')) }}"), "list or mapping"),
        (_doubled("{{ ns.v|string|length }}"), "list or mapping"),
    ],
)
def test_expressions_that_would_build_huge_values(ws: Workspace, code: str, says: str) -> None:
    ws.blueprint("greeting", with_code(code))
    refused(ws, generate(), "at /template/embedded_code", says)


def test_nested_range_loops_stop_fast_naming_the_template(ws: Workspace) -> None:
    with_template(
        ws, "{% for i in range(100000) %}\n{% for j in range(100000) %}{% endfor %}\n{% endfor %}\n"
    )
    refused(ws, generate(), "templates/greet.txt.j2", "loop iterations and calls", "nested loops")


def test_a_macro_calling_itself_stops_at_the_nesting_limit(ws: Workspace) -> None:
    with_template(ws, "{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}\n{{ down(0) }}\n")
    refused(ws, generate(), "templates/greet.txt.j2", "nested more than 40 deep")


def test_a_recursive_loop_without_end(ws: Workspace) -> None:
    with_template(ws, "{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}\n")
    refused(ws, generate(), "templates/greet.txt.j2", "nested more than 40 deep")


def test_a_template_including_itself(ws: Workspace) -> None:
    with_template(ws, "{% include 'greet.txt.j2' %}\n")
    refused(ws, generate(), "greet.txt.j2", "nests too deeply")


def test_output_beyond_the_size_of_a_file(ws: Workspace) -> None:
    with_template(ws, "{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}\n")
    refused(ws, generate(), "templates/greet.txt.j2", "more than a generated file may hold")


@pytest.mark.parametrize(
    ("code", "says"), [("{{ '\\x00' }}", "a NUL character"), ("{{ '\\ud800' }}", "a lone surrogate")]
)
def test_output_no_file_can_hold_as_text(ws: Workspace, code: str, says: str) -> None:
    ws.blueprint("greeting", with_code(code))
    refused(ws, generate(), "at /template/embedded_code", says, "a generated file is UTF-8 text")


@pytest.mark.parametrize(
    "code",
    ["{{ " + "(" * 500 + "1" + ")" * 500 + " }}", "{{ 1" + "0" * 5000 + " }}"],
    ids=["deep-expression", "huge-literal"],
)
def test_templates_python_cannot_compile(ws: Workspace, code: str) -> None:
    ws.blueprint("greeting", with_code(code))
    refused(ws, generate(), "at /template/embedded_code", "cannot be compiled")


def test_ordinary_templates_render_as_before(ws: Workspace) -> None:
    with_template(
        ws,
        "{{ ('%s-' * 2) % (1, 2) }}{{ 'a' ~ 1 }}{{ [1] + [2] }}{{ 2 ** 10 }}{{ 'ab' * 2 }}"
        "{{ 'a,b'|replace(',', ';') }}{{ 'x'|center(5) }}{{ '%3d'|format(7) }}{{ '{:>4}'.format(who) }}\n"
        "{% for k, v in {'a': 1}.items() %}{{ k }}={{ v }} {{ loop.index }}/{{ loop.length }}{% endfor %}\n"
        "{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}{{ twice(who) }}\n",
    )
    assert ws.run(*generate()).exit_code == 0
    assert (ws.root / "greeting.txt").read_text(encoding="utf-8") == (
        "1-2-a1[1, 2]1024ababa;b  x    7world\na=1 1/1worldworld\n"
    )


# --- patterns ------------------------------------------------------------------------


def test_a_catastrophic_parameter_pattern_answers_at_once(ws: Workspace) -> None:
    data = simple_blueprint()
    data["parameters"]["who"]["pattern"] = "^(a+)+$"
    ws.blueprint("greeting", data)
    refused(ws, generate("who=" + "a" * 5000 + "b"), "parameter 'who'", "does not match the pattern")


def test_a_catastrophic_items_pattern_answers_at_once(ws: Workspace) -> None:
    data = simple_blueprint()
    data["parameters"]["tags"] = {"type": "array", "items": {"type": "string", "pattern": "^(a+)+$"}}
    ws.blueprint("greeting", data)
    refused(ws, generate("who=x", "tags=" + "a" * 5000 + "b"), "parameter 'tags'", "item 0")


@pytest.mark.parametrize("pattern", ["^(?=a)a$", "^(a)\\1$", "^a++$", "^a\\Z"])
def test_a_pattern_re2_cannot_run_is_refused_at_load(ws: Workspace, pattern: str) -> None:
    data = simple_blueprint()
    data["parameters"]["who"]["pattern"] = pattern
    ws.blueprint("greeting", data)
    err = refused(ws, ["validate"], "blueprints/greeting.json:", "at /parameters/who/pattern", "RE2")
    assert "re2.cc" not in err  # RE2's own log line stays quiet


def test_an_items_pattern_re2_cannot_run_is_refused_at_load(ws: Workspace) -> None:
    data = simple_blueprint()
    items = {"type": "object", "patternProperties": {"^(?!x)": {"type": "string"}}}
    data["parameters"]["tags"] = {"type": "array", "items": items}
    ws.blueprint("greeting", data)
    refused(ws, ["validate"], "at /parameters/tags/items/patternProperties", "RE2")


# --- strict JSON ---------------------------------------------------------------------


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(ws: Workspace, constant: str) -> None:
    text = json.dumps(simple_blueprint(), indent=2).replace('"required": true', f'"required": {constant}')
    ws.blueprint("greeting", text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if constant in row)
    refused(ws, ["validate"], f"blueprints/greeting.json:{line}:", f"{constant} is not a JSON number")


def test_nan_inside_a_string_is_a_string(ws: Workspace) -> None:
    data = simple_blueprint()
    data["metadata"]["description"] = "NaN and Infinity"
    ws.blueprint("greeting", data)
    assert ws.run("validate").exit_code == 0


def test_a_duplicate_key_names_the_key_and_its_line(ws: Workspace) -> None:
    text = json.dumps(simple_blueprint(), indent=2).replace(
        '"version": "1.0.0",', '"version": "1.0.0",\n    "version": "2.0.0",'
    )
    ws.blueprint("greeting", text)
    line = text.splitlines().index('    "version": "2.0.0",') + 1
    refused(
        ws,
        ["validate"],
        f"blueprints/greeting.json:{line}:",
        "at /metadata/version",
        "duplicate key 'version'",
    )


# --- template roots and reserved folders --------------------------------------------


def test_a_template_through_a_symlinked_folder_outside_the_root(ws: Workspace, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("not yours\n", encoding="utf-8")
    data = simple_blueprint()
    data["relationships"]["generates"] = [{"path": "copy.txt", "template": "evil/secret"}]
    ws.blueprint("greeting", data)
    (ws.root / "templates").mkdir()
    (ws.root / "templates" / "evil").symlink_to(outside)
    for command in (generate(), ["validate"]):
        refused(ws, command, "templates/evil/secret", "outside its template folder", "(blueprint greeting)")
    assert not (ws.root / "copy.txt").exists()


def test_a_symlinked_template_file_outside_the_root(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("not yours\n", encoding="utf-8")
    with_template(ws, "placeholder")
    target = ws.root / "templates" / "greet.txt.j2"
    target.unlink()
    target.symlink_to(tmp_path / "secret")
    refused(ws, ["validate"], "outside its template folder")


def test_a_symlink_inside_the_root_is_followed(ws: Workspace) -> None:
    with_template(ws, "hello {{ who }}\n", name="real.j2")
    (ws.root / "templates" / "greet.txt.j2").symlink_to("real.j2")
    data = simple_blueprint()
    data["relationships"]["generates"] = [{"path": "greeting.txt", "template": "greet.txt.j2"}]
    del data["template"]["embedded_code"]
    ws.blueprint("greeting", data)
    assert ws.run(*generate()).exit_code == 0
    assert (ws.root / "greeting.txt").read_text(encoding="utf-8") == "hello world\n"


@pytest.mark.parametrize(
    "path",
    [".git/hooks/pre-commit", "./.git/config", ".GIT/x", ".blueprintgen/manifest.json", ".blueprintgen"],
)
def test_no_blueprint_writes_into_git_or_blueprintgen_state(ws: Workspace, path: str) -> None:
    data = simple_blueprint()
    data["relationships"]["generates"] = [path]
    ws.blueprint("greeting", data)
    for command in (generate(), [*generate(), "--force"], ["validate"]):
        refused(ws, command, "at /relationships/generates/0", "no blueprint writes there")


def test_gitignore_and_github_are_not_reserved(ws: Workspace) -> None:
    data = simple_blueprint()
    data["relationships"]["generates"] = [".gitignore", {"path": ".github/x.yml", "template": "x.j2"}]
    ws.blueprint("greeting", data)
    ws.template("x.j2", "on: push\n")
    assert ws.run(*generate()).exit_code == 0


# --- new project where nothing can be written ---------------------------------------


def test_new_project_in_a_read_only_folder(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    real_mkdir = Path.mkdir

    def read_only(self: Path, *args: Any, **kwargs: Any) -> None:
        if self.is_relative_to(ws.root):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    refused(ws, ["new", "project", "demo"], "demo", "read-only file system")
    assert not (ws.root / "demo").exists()


# --- two blueprints, one literal path -----------------------------------------------


def test_two_blueprints_generating_one_literal_path(ws: Workspace) -> None:
    for name in ("greeting", "other"):
        data = simple_blueprint(name)
        data["relationships"]["generates"] = ["NOTES.md"]
        ws.blueprint(name, data)
    conditional = simple_blueprint("third")
    conditional["relationships"]["generates"] = [{"path": "NOTES.md", "condition": "who == 'x'"}]
    ws.blueprint("third", conditional)
    found = catalog.load(ws.root)
    problems = found.clashing_outputs()
    assert len(problems) == 1
    message = problems[0].format()
    assert "other and greeting" in message or "greeting and other" in message
    assert "'NOTES.md'" in message and "at /relationships/generates/0" in message
    mine = [found.blueprints["third"]]
    assert found.clashing_outputs(mine) == []
    assert catalog.load(None).clashing_outputs() == [], "the built-in blueprints share no literal path"
    result = ws.run("validate")
    assert result.exit_code == 1, result.output
    assert "'NOTES.md'" in result.output and "Traceback" not in result.output


def test_a_project_file_whose_alias_holds_itself_does_not_hang(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by the fuzz: `x: &a [*a]` made the duplicate-key walk go round for ever."""
    assert ws.run("new", "project", "demo", "--no-git").exit_code == 0
    project_file = ws.root / "demo" / "blueprintgen.yaml"
    project_file.write_text(project_file.read_text(encoding="utf-8") + "x: &a [*a]\n", encoding="utf-8")
    monkeypatch.chdir(ws.root / "demo")
    started = time.monotonic()
    result = ws.run("upgrade", "--dry-run")
    assert time.monotonic() - started < 30
    assert "Traceback" not in result.output


def test_a_path_placeholder_whose_parameter_may_have_no_value(ws: Workspace) -> None:
    """Found by the fuzz: an optional parameter without a default in a generated path."""
    data = simple_blueprint()
    data["parameters"]["who"] = {"type": "string"}
    ws.blueprint("greeting", data)
    refused(ws, ["validate"], "at /relationships/generates/0", "placeholder {who} may have no value")

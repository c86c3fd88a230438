"""Every kind of bad input ends in one clear message naming the file and place, exit 1
(2 when the command line itself is wrong), no traceback, and nothing written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Workspace, simple_blueprint


def assert_refused(ws: Workspace, args: list[str], *expected: str, code: int = 1) -> str:
    before = ws.snapshot()
    result = ws.run(*args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    for fragment in expected:
        assert fragment in result.stderr, f"{fragment!r} not in:\n{result.stderr}"
    assert ws.snapshot() == before, "a failed run must not write anything"
    return result.stderr


def generate(name: str = "greeting", *sets: str) -> list[str]:
    return ["generate", name, *(f"--set={s}" for s in sets or ("who=world",))]


def test_malformed_json_names_line_and_column(ws: Workspace) -> None:
    ws.blueprint("broken", '{\n  "metadata": {"name": "x",}\n}\n')
    err = assert_refused(ws, ["validate"], "blueprints/broken.json:2:28", "invalid JSON")
    assert '"metadata"' in err  # the offending source line is quoted


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"metadata": {"name": "x"}, \n', "broken.json:2:1"),  # cut off after the last newline
        ('{"metadata": {"name": "x"}}\x0c\n, ', "broken.json:1:28"),  # a form feed is not a line break
        ('{"metadata":\n\n', "broken.json:3:1"),
    ],
)
def test_malformed_json_at_the_end_of_the_file(ws: Workspace, text: str, where: str) -> None:
    ws.blueprint("broken", text)
    assert_refused(ws, ["validate"], where, "invalid JSON")


def test_empty_file(ws: Workspace) -> None:
    ws.blueprint("empty", "")
    assert_refused(ws, ["validate"], "blueprints/empty.json", "the file is empty")


def test_non_utf8_bytes(ws: Workspace) -> None:
    ws.blueprint("latin", b'{"metadata": {"name": "caf\xe9"}}')
    assert_refused(ws, ["validate"], "blueprints/latin.json:1:", "not UTF-8", "0xe9")


def test_top_level_list(ws: Workspace) -> None:
    ws.blueprint("listy", "[1, 2]")
    assert_refused(ws, ["validate"], "blueprints/listy.json:1:1", "must be a JSON object", "not array")


def test_wrong_types_are_all_reported_with_their_json_path(ws: Workspace) -> None:
    data = simple_blueprint()
    data["metadata"]["version"] = 1
    data["parameters"]["who"]["required"] = "yes"
    data["relationships"]["depends_on"] = "other"
    ws.blueprint("greeting", data)
    err = assert_refused(
        ws,
        generate(),
        "at /metadata/version",
        "at /parameters/who/required",
        "at /relationships/depends_on",
        "3 problems found",
    )
    assert "is not of type 'string'" in err


def test_unknown_field_suggests_the_close_one(ws: Workspace) -> None:
    data = simple_blueprint()
    data["relationships"]["depend_on"] = []
    ws.blueprint("greeting", data)
    assert_refused(
        ws, generate(), "unknown field 'depend_on'", "did you mean 'depends_on'?", "greeting.json:"
    )


def test_bad_semver(ws: Workspace) -> None:
    data = simple_blueprint()
    data["metadata"]["version"] = "1.0"
    ws.blueprint("greeting", data)
    assert_refused(ws, generate(), "at /metadata/version", "not a semantic version")


def _pair(a_deps: list[str], b_deps: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    a = simple_blueprint("alpha")
    a["relationships"]["depends_on"] = a_deps
    b = simple_blueprint("beta")
    b["relationships"]["depends_on"] = b_deps
    return a, b


def test_cycle_names_its_members(ws: Workspace) -> None:
    a, b = _pair(["beta"], ["alpha"])
    ws.blueprint("alpha", a)
    ws.blueprint("beta", b)
    assert_refused(
        ws, generate("alpha"), "dependency cycle", "alpha → beta → alpha", "at /relationships/depends_on"
    )


def test_self_dependency(ws: Workspace) -> None:
    a, _ = _pair(["alpha"], [])
    ws.blueprint("alpha", a)
    assert_refused(ws, generate("alpha"), "depends on itself", "alpha → alpha", "blueprints/alpha.json")


def test_missing_dependency(ws: Workspace) -> None:
    a, _ = _pair(["gamma-{who}"], [])
    ws.blueprint("alpha", a)
    assert_refused(
        ws,
        generate("alpha"),
        "missing dependency",
        "'gamma-world'",
        "blueprints/alpha.json:",
        "/relationships/depends_on/0",
    )


def test_duplicate_names(ws: Workspace) -> None:
    ws.blueprint("one", simple_blueprint("same"))
    ws.blueprint("two", simple_blueprint("same"))
    assert_refused(
        ws, ["validate"], "duplicate blueprint name 'same'", "blueprints/one.json", "blueprints/two.json"
    )


def test_two_blueprints_generating_one_file(ws: Workspace) -> None:
    a, b = _pair(["beta"], [])
    b["relationships"]["generates"] = a["relationships"]["generates"]
    ws.blueprint("alpha", a)
    ws.blueprint("beta", b)
    assert_refused(ws, generate("alpha"), "two blueprints generate 'src/alpha_world.py'", "beta", "alpha")


def test_template_syntax_error_names_template_and_line(ws: Workspace) -> None:
    data = simple_blueprint()
    data["template"].pop("embedded_code")
    data["relationships"]["generates"] = [{"path": "out.py", "template": "greet.py.j2"}]
    ws.blueprint("greeting", data)
    ws.template("greet.py.j2", "x = 1\n{% if who %}\ny = 2\n")
    assert_refused(ws, generate(), "templates/greet.py.j2:3", "template syntax error", "(blueprint greeting)")


def test_undefined_template_variable(ws: Workspace) -> None:
    data = simple_blueprint()
    data["template"]["embedded_code"] = "A = 1\nB = {{ whom }}\n"
    ws.blueprint("greeting", data)
    assert_refused(
        ws, generate(), "'whom' is undefined", "greeting.json:", "line 2 of embedded_code", "B = {{ whom }}"
    )


def test_undefined_variable_in_template_file(ws: Workspace) -> None:
    data = simple_blueprint()
    data["template"].pop("embedded_code")
    data["relationships"]["generates"] = [{"path": "out.py", "template": "greet.py.j2"}]
    ws.blueprint("greeting", data)
    ws.template("greet.py.j2", "A = 1\n\nB = {{ nothing.here }}\n")
    assert_refused(ws, generate(), "templates/greet.py.j2:3", "'nothing' is undefined")


def test_missing_required_parameter(ws: Workspace) -> None:
    ws.blueprint("greeting", simple_blueprint())
    assert_refused(
        ws, ["generate", "greeting"], "missing required parameter who (string)", "--set who=VALUE", code=2
    )


def test_set_value_of_wrong_type(ws: Workspace) -> None:
    data = simple_blueprint()
    data["parameters"]["times"] = {"type": "integer", "default": 1}
    ws.blueprint("greeting", data)
    assert_refused(
        ws, generate("greeting", "who=x", "times=many"), "--set times: expected an integer", "'many'", code=2
    )


def test_unknown_set_parameter(ws: Workspace) -> None:
    ws.blueprint("greeting", simple_blueprint())
    assert_refused(
        ws, generate("greeting", "who=x", "whoo=y"), "unknown parameter 'whoo'", "did you mean 'who'?", code=2
    )


def test_default_that_does_not_match_its_type(ws: Workspace) -> None:
    data = simple_blueprint()
    data["parameters"]["times"] = {"type": "integer", "default": "three"}
    ws.blueprint("greeting", data)
    assert_refused(ws, generate(), "at /parameters/times/default", "expected integer", "greeting.json:")


@pytest.mark.parametrize("bad", ["/etc/passwd", "../outside.py", "src/../../outside.py", "C:/windows.py"])
def test_paths_leaving_the_project_are_refused(ws: Workspace, bad: str) -> None:
    data = simple_blueprint()
    data["relationships"]["generates"] = [bad]
    ws.blueprint("greeting", data)
    assert_refused(ws, generate(), "/relationships/generates/0", "relative path inside the project")


def test_parameter_value_cannot_smuggle_a_path_out(ws: Workspace) -> None:
    ws.blueprint("greeting", simple_blueprint(**{"relationships": {"generates": ["{who}/x.py"]}}))
    assert_refused(ws, generate("greeting", "who=../../etc"), "leaves the project")


def test_symlink_pointing_out_is_refused(ws: Workspace, tmp_path: Any) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    ws.blueprint("greeting", simple_blueprint(**{"relationships": {"generates": ["link/x.py"]}}))
    (ws.root / "link").symlink_to(outside)
    assert_refused(ws, generate(), "outside the project")
    assert not list(outside.iterdir())


def test_unknown_placeholder(ws: Workspace) -> None:
    ws.blueprint("greeting", simple_blueprint(**{"relationships": {"generates": ["{whom}.py"]}}))
    assert_refused(ws, ["validate"], "placeholder {whom} names no parameter", "did you mean {who}?")


def test_unknown_blueprint_name(ws: Workspace) -> None:
    ws.blueprint("greeting", simple_blueprint())
    assert_refused(
        ws, ["generate", "greetin"], "no blueprint named 'greetin'", "did you mean greeting?", code=2
    )


def test_template_producing_invalid_python(ws: Workspace) -> None:
    ws.blueprint("greeting", simple_blueprint(**{"template": {"embedded_code": "def broken(:\n"}}))
    assert_refused(ws, generate(), "not valid Python", "src/greeting_world.py:1")


def test_validate_reports_every_broken_file_at_once(ws: Workspace) -> None:
    ws.blueprint("a", "{")
    ws.blueprint("b", "")
    data = simple_blueprint("c")
    data["metadata"]["version"] = "x"
    ws.blueprint("c", data)
    assert_refused(ws, ["validate"], "a.json:1:2", "b.json", "c.json:", "3 problems found")


def test_usage_error_is_exit_2(ws: Workspace) -> None:
    result = ws.run("generate")
    assert result.exit_code == 2
    assert "Missing argument" in result.output


def test_bad_set_syntax(ws: Workspace) -> None:
    ws.blueprint("greeting", simple_blueprint())
    assert_refused(ws, ["generate", "greeting", "--set", "who"], "not of the form key=value", code=2)


def test_json_is_not_an_array_for_array_parameter(ws: Workspace) -> None:
    data = simple_blueprint()
    data["parameters"]["items"] = {"type": "array", "default": []}
    ws.blueprint("greeting", data)
    assert_refused(ws, generate("greeting", "who=x", "items=[1,"), "--set items: expected JSON array", code=2)
    assert json.loads("[]") == []


@pytest.mark.parametrize("output", ["notes.txt", "notes.txt/service"])
def test_new_project_into_a_file_is_refused(ws: Workspace, output: str) -> None:
    (ws.root / "notes.txt").write_text("mine\n")
    assert_refused(
        ws, ["new", "project", "service", "--output", output, "--yes"], "notes.txt", "not a folder"
    )

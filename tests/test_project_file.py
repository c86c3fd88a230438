"""blueprintgen.yaml as a user writes it: kept as written, checked where read, and never
accepted in a state that would break the project.

Each test runs the CLI in a copy of one project with two resources (item, tag), made
once for the module without a formatter (the rules under test do not depend on it).
"""

from __future__ import annotations

import errno
import random
import shutil
from pathlib import Path

import pytest
import yaml

from blueprintgen import operations, transaction
from blueprintgen.operations import WriteOptions
from tests.conftest import Workspace

PLAIN = WriteOptions(formatter="none")


@pytest.fixture(scope="module")
def made_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("made")
    with operations.create_project("shop", cwd=home, git=False, options=PLAIN) as plan:
        plan.apply()
    root = home / "shop"
    for name, fields in (("item", ["name:str", "price:decimal?"]), ("tag", ["label:str"])):
        with operations.add_resources(root, name, fields=fields, options=PLAIN) as plan:
            plan.apply()
    return root


@pytest.fixture
def shop(made_project: Path, ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """The workspace is a copy of the project, as the current directory."""
    shutil.rmtree(ws.root)
    shutil.copytree(made_project, ws.root)
    monkeypatch.chdir(ws.root)
    return ws


def project_text(ws: Workspace) -> str:
    return (ws.root / "blueprintgen.yaml").read_text(encoding="utf-8")


def write_project(ws: Workspace, text: str) -> None:
    (ws.root / "blueprintgen.yaml").write_text(text, encoding="utf-8")


def edit_project(ws: Workspace, old: str, new: str) -> None:
    text = project_text(ws)
    assert old in text, f"{old!r} is not in the project file"
    write_project(ws, text.replace(old, new, 1))


def recorded(ws: Workspace) -> dict[str, dict[str, object]]:
    return dict(yaml.safe_load(project_text(ws))["resources"])


# --- round trip ------------------------------------------------------------------------

HAND_WRITTEN = """\
# Our shop's backend. Owner: the platform team.
blueprintgen: 0.1.0
deploy:   # read by our own scripts, not by blueprintgen
  region: eu-west-1
project:
  name: shop
  package: shop
  db: sqlite    # postgres in production, via DATABASE_URL
  docker: true
  oauth_revision: '0002'
resources:
  # What we sell.
  item:
    plural: items
    fields:
      - name:str        # shown in the catalogue
      - "price:decimal?"
    methods: [create, list, read, update, delete]
    auth_required: true
    mcp_style: tools
    schema:
      - revision: '0003'
        fields:
          - name:str
          - price:decimal?
        sort_indexes: true
        search_indexes: true
  tag:
    plural: tags
    fields:
      - label:str
    methods: [create, list, read, update, delete]
    auth_required: true
    mcp_style: tools
    schema:
      - revision: '0004'
        fields:
          - label:str
        sort_indexes: true
        search_indexes: true
owners: [alice, bob]
"""


def test_a_command_that_changes_nothing_leaves_the_file_byte_for_byte(shop: Workspace) -> None:
    write_project(shop, HAND_WRITTEN)
    result = shop.run("upgrade", "--yes")
    assert result.exit_code == 0, result.output
    assert project_text(shop) == HAND_WRITTEN


def test_adding_a_resource_keeps_comments_order_quoting_and_the_users_keys(shop: Workspace) -> None:
    write_project(shop, HAND_WRITTEN)
    result = shop.run("add", "resource", "note", "--field", "body:text", "--formatter", "none")
    assert result.exit_code == 0, result.output

    text = project_text(shop)
    kept, added = text.split("  note:\n", 1)
    assert kept == HAND_WRITTEN.removesuffix("owners: [alice, bob]\n"), (
        "everything before the new entry is as written"
    )
    assert added.endswith("owners: [alice, bob]\n"), "the user's last key stays last"
    assert "      - body:text\n" in added, "written with the file's own indentation"
    assert "      - revision: '0005'\n" in added, "a revision stays a string"
    assert yaml.safe_load(text)["resources"]["note"]["schema"] == [
        {"revision": "0005", "fields": ["body:text"], "sort_indexes": True, "search_indexes": True}
    ]


def test_editing_fields_adds_the_migration_in_place_and_keeps_the_rest(shop: Workspace) -> None:
    write_project(
        shop,
        HAND_WRITTEN.replace(
            "      - label:str\n    methods", "      - label:str\n      - color:str?\n    methods"
        ),
    )
    result = shop.run("upgrade", "--yes", "--formatter", "none")
    assert result.exit_code == 0, result.output

    text = project_text(shop)
    assert "# What we sell." in text and "deploy:   # read by our own scripts" in text
    assert text.endswith("owners: [alice, bob]\n")
    assert yaml.safe_load(text)["resources"]["tag"]["schema"][-1] == {
        "revision": "0005",
        "fields": ["label:str", "color:str?"],
    }
    assert (shop.root / "alembic/versions").glob("0005_*.py")


# --- checked where read ------------------------------------------------------------------


def test_a_misspelt_key_of_a_resource_gets_a_did_you_mean_at_its_line(shop: Workspace) -> None:
    edit_project(shop, "    fields:\n    - name:str", "    feilds:\n    - name:str")
    before = shop.snapshot()
    result = shop.run("upgrade", "--yes")
    assert result.exit_code == 1
    assert "unknown key 'feilds' in resource 'item' (did you mean 'fields'?)" in result.stderr
    line = project_text(shop).splitlines().index("    feilds:") + 1
    assert f"blueprintgen.yaml:{line}:5:" in result.stderr
    assert shop.snapshot() == before


def test_a_misspelt_project_option_is_an_error_and_an_unknown_top_level_key_is_not(shop: Workspace) -> None:
    edit_project(shop, "  docker: true", "  dockr: true")
    result = shop.run("add", "resource", "note")
    assert result.exit_code == 1
    assert "unknown key 'dockr' in `project` (did you mean 'docker'?)" in result.stderr

    edit_project(shop, "  dockr: true", "  docker: true")
    write_project(shop, project_text(shop) + "mine: {anything: [1, 2]}\n")
    assert shop.run("upgrade", "--dry-run").exit_code == 0


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            "  tag:\n    plural: tags",
            "  tag:\n  - plural: tags",
            "resource 'tag': must be a mapping, not a list",
        ),
        (
            "    schema:\n    - revision: '0004'\n      fields:\n      - label:str\n      sort_indexes: true\n      search_indexes: true",
            "    schema: [1]",
            "resource 'tag', schema[0]: must be a mapping, not 1 (int)",
        ),
        (
            "    - revision: '0004'\n      fields:\n      - label:str",
            "    - revision: '0004'",
            "resource 'tag', schema[0]: needs 'fields'",
        ),
        (
            "    fields:\n    - label:str\n    methods",
            "    fields: name:str\n    methods",
            "resource 'tag', fields: must be a list, not the string 'name:str'",
        ),
        (
            "    - revision: '0004'",
            "    - revision: 3",
            "resource 'tag', schema[0].revision: must be a string, not 3 (int)",
        ),
        (
            "  docker: true",
            "  docker: maybe",
            "project option 'docker': must be true or false, not the string 'maybe'",
        ),
    ],
    ids=[
        "resource-as-list",
        "schema-item-not-a-mapping",
        "step-without-fields",
        "fields-as-string",
        "revision-unquoted",
        "docker-not-bool",
    ],
)
def test_a_value_of_the_wrong_type_is_one_message_at_its_line(
    shop: Workspace, old: str, new: str, said: str
) -> None:
    edit_project(shop, old, new)
    for command in (
        ("upgrade", "--yes"),
        ("add", "resource", "note"),
        ("diff",),
        ("validate", "--check-all"),
    ):
        result = shop.run(*command)
        assert result.exit_code == 1, (command, result.output)
        assert said in result.stderr, (command, result.stderr)
        assert result.stderr.count("error:") == 1, result.stderr
        assert "Traceback" not in result.output
    # At the wrong value: the line it reports is one of those edited, and is quoted.
    reported = int(result.stderr.split("blueprintgen.yaml:", 1)[1].split(":", 1)[0])
    assert project_text(shop).splitlines()[reported - 1] in new.splitlines()
    assert result.stderr.splitlines()[1].strip() == project_text(shop).splitlines()[reported - 1].strip()


def test_a_key_given_twice_is_an_error_not_a_silent_choice(shop: Workspace) -> None:
    write_project(shop, project_text(shop) + "project:\n  name: other\n  package: other\n")
    result = shop.run("upgrade", "--yes")
    assert result.exit_code == 1
    assert "the key 'project' is given twice (first on line" in result.stderr
    line = len(project_text(shop).splitlines()) - 2
    assert f"blueprintgen.yaml:{line}:1:" in result.stderr


def test_a_bad_package_is_reported_in_the_project_file_not_in_a_blueprint(shop: Workspace) -> None:
    edit_project(shop, "  package: shop", "  package: Shop-X")
    result = shop.run("upgrade", "--yes")
    assert result.exit_code == 1
    assert "blueprintgen.yaml:6:" in result.stderr and "project package" in result.stderr
    assert ".json" not in result.stderr


def test_a_bad_field_spec_is_reported_at_its_line_and_printed_as_written(shop: Workspace) -> None:
    edit_project(shop, "    - price:decimal?\n    methods", "    - when:date:nope\n    methods")
    result = shop.run("upgrade", "--yes")
    assert result.exit_code == 1
    line = project_text(shop).splitlines().index("    - when:date:nope") + 1
    assert f"blueprintgen.yaml:{line}:" in result.stderr
    assert "when:date:nope" in result.stderr and "\N{CALENDAR}" not in result.output


def test_a_huge_value_is_shortened_in_the_message(shop: Workspace) -> None:
    edit_project(shop, "    - price:decimal?\n    methods", f"    - {'x' * 100_000}:str\n    methods")
    result = shop.run("upgrade", "--yes")
    assert result.exit_code in (1, 2)
    assert "xxxx" in result.stderr and len(result.stderr) < 5_000


@pytest.mark.parametrize("command", [("upgrade", "--yes"), ("add", "resource", "note"), ("diff",)])
def test_a_missing_project_file_is_named_as_such(shop: Workspace, command: tuple[str, ...]) -> None:
    (shop.root / "blueprintgen.yaml").unlink()
    before = shop.snapshot()
    result = shop.run(*command)
    assert result.exit_code == 1
    assert "blueprintgen.yaml is missing" in result.stderr and "git checkout" in result.stderr
    assert "resource-" not in result.stderr
    assert shop.snapshot() == before


# --- refused before writing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("person", "--plural", "users"), "the table 'users' is the project's accounts table"),
        (("thing", "--plural", "items"), "resource 'item' already has the table (and routes) 'items'"),
        (
            ("item", "--replace", "--plural", "things"),
            "changing its plural to 'things' would rename the table",
        ),
    ],
    ids=["accounts-table", "another-resources-table", "replace-renames-a-table"],
)
def test_a_table_name_that_is_taken_or_would_change_is_refused(
    shop: Workspace, args: tuple[str, ...], said: str
) -> None:
    before = shop.snapshot()
    result = shop.run("add", "resource", *args, "--yes")
    assert result.exit_code == 1
    assert said in result.stderr
    assert shop.snapshot() == before


def test_a_reference_cycle_made_by_replace_is_refused(shop: Workspace) -> None:
    assert (
        shop.run(
            "add",
            "resource",
            "author",
            "--field",
            "name:str",
            "--field",
            "pick:ref:item?",
            "--formatter",
            "none",
        ).exit_code
        == 0
    )
    before = shop.snapshot()
    result = shop.run(
        "add",
        "resource",
        "item",
        "--replace",
        "--field",
        "name:str",
        "--field",
        "author:ref:author?",
        "--yes",
    )
    assert result.exit_code == 1
    assert "resources reference each other in a cycle: " in result.stderr
    assert "author → item → author" in result.stderr or "item → author → item" in result.stderr
    assert shop.snapshot() == before


def test_a_duplicate_revision_in_a_hand_edited_file_is_refused(shop: Workspace) -> None:
    edit_project(shop, "    - revision: '0004'", "    - revision: '0003'")
    before = shop.snapshot()
    result = shop.run("upgrade", "--yes")
    assert result.exit_code == 1
    assert "migration revision 0003 of resource 'tag' is also resource 'item''s" in result.stderr
    assert "two Alembic heads" in result.stderr
    assert shop.snapshot() == before


def test_a_resource_deleted_by_hand_is_refused_by_add_with_the_way_forward(shop: Workspace) -> None:
    # `upgrade` removes it (tests/test_remove_resource.py); `add resource` renders only the
    # resources it adds, so it cannot, and says what will.
    text = project_text(shop)
    write_project(shop, text[: text.index("  tag:\n")])
    before = shop.snapshot()
    result = shop.run("add", "resource", "note", "--field", "body:text", "--yes")
    assert result.exit_code == 1
    assert "resource 'tag' is no longer in blueprintgen.yaml" in result.stderr
    assert "run `blueprintgen upgrade` to remove 'tag', or restore its entry" in result.stderr
    assert shop.snapshot() == before
    assert (shop.root / "alembic/versions/0004_create_tags.py").is_file()


def test_a_migration_inserted_before_a_generated_one_is_refused(shop: Workspace) -> None:
    edit_project(
        shop,
        "    - revision: '0003'\n      fields:\n      - name:str\n      - price:decimal?\n",
        "    - revision: '0003'\n      fields:\n      - name:str\n    - revision: '0001'\n      fields:\n      - name:str\n      - price:decimal?\n",
    )
    result = shop.run("upgrade", "--yes")
    assert result.exit_code == 1
    assert "also the project (the accounts table)'s" in result.stderr


def test_a_stale_record_of_a_deleted_file_is_forgotten(shop: Workspace) -> None:
    (shop.root / "Dockerfile").unlink()  # deleted by the user, then no longer generated
    edit_project(shop, "  docker: true", "  docker: false")
    result = shop.run("upgrade", "--yes", "--formatter", "none")
    assert result.exit_code == 0, result.output
    assert "Dockerfile" in result.stdout and "forget" in result.stdout
    checked = shop.run("validate", "--check-all", "--no-cache")
    assert checked.exit_code == 0, checked.output


# --- a new project that fails leaves nothing -------------------------------------------------


def test_a_new_project_whose_write_fails_removes_the_folders_it_created(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = transaction.FS.replace
    calls = 0

    def full_disk_at_the_fifth_rename(source: Path, destination: Path) -> None:
        nonlocal calls
        calls += 1
        if calls == 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(source, destination)

    monkeypatch.setattr(transaction.FS, "replace", full_disk_at_the_fifth_rename)
    (ws.root / "kept").mkdir()
    for target in ("new/deep/api", "kept"):
        calls = 0
        result = ws.run(
            "new", "project", "api", "--output", target, "--no-git", "--yes", "--formatter", "none", "--force"
        )
        assert result.exit_code == 1, result.output
        assert "No space left" in result.stderr or "space" in result.stderr
    assert not (ws.root / "new").exists(), "the folders the run created are gone"
    assert (ws.root / "kept").is_dir() and not any((ws.root / "kept").iterdir()), (
        "a folder that was there stays, empty"
    )


# --- the lock is always let go -------------------------------------------------------------


def test_every_way_out_of_a_writing_command_releases_the_project_lock(shop: Workspace) -> None:
    lock = shop.root / transaction.LOCK
    for args, code in [
        (("add", "resource", "note", "--dry-run"), 0),  # a plan not applied
        (("add", "resource", "item", "--field", "title:str?"), 1),  # refused after planning (needs --replace)
        (("add", "resource", "person", "--plural", "users"), 1),  # refused while planning
        (("upgrade", "--yes", "--formatter", "none"), 0),  # applied
    ]:
        result = shop.run(*args)
        assert result.exit_code == code, (args, result.output)
        assert not lock.exists(), args
    with operations.add_resources(shop.root, "note", options=PLAIN) as plan:
        assert lock.exists() and plan.writes, "held while the plan is looked at"
    assert not lock.exists(), "closed unapplied when the block is left"


# --- any project file: a message, never a traceback -------------------------------------------

_ODD_VALUES: list[object] = [
    None,
    0,
    -1,
    3.5,
    True,
    "",
    "x" * 300,
    "yes",
    [],
    [1],
    {},
    {"a": 1},
    "name:str",
    ["when:date:nope"],
]


def _mutated(data: object, rng: random.Random) -> object:
    """``data`` with one value replaced, one key removed or one key added, somewhere."""
    if not isinstance(data, (dict, list)) or not data or rng.random() < 0.25:
        return rng.choice(_ODD_VALUES)
    if isinstance(data, list):
        index = rng.randrange(len(data))
        return [*data[:index], _mutated(data[index], rng), *data[index + 1 :]]
    key = rng.choice(sorted(data, key=str))
    roll = rng.random()
    if roll < 0.15:
        return {k: v for k, v in data.items() if k != key}
    if roll < 0.3:
        return {**data, rng.choice(["feilds", "plurl", "extra", "schema", "fields"]): rng.choice(_ODD_VALUES)}
    return {**data, key: _mutated(data[key], rng)}


def test_a_mangled_project_file_gets_a_message_and_changes_nothing(shop: Workspace) -> None:
    original = yaml.safe_load(project_text(shop))
    rng = random.Random(11)
    for _ in range(30):
        write_project(shop, yaml.safe_dump(_mutated(original, rng), sort_keys=False))
        before = shop.snapshot()
        result = shop.run("upgrade", "--dry-run", "--formatter", "none")  # raises on a traceback
        assert result.exit_code in (0, 1, 2), result.output
        assert shop.snapshot() == before, project_text(shop)


@pytest.mark.parametrize(
    "change",
    [
        ("add", "review", ["stars:int", "body:text?", "item:ref:item"]),
        ("replace", "item", ["name:str", "price:decimal", "sku:str?"]),
        ("remove", "tag", []),
    ],
    ids=["add", "replace", "remove"],
)
def test_both_writers_give_the_same_text_for_a_file_that_holds_nothing_of_the_users(
    shop: Workspace, change: tuple[str, str, list[str]]
) -> None:
    """The fast path writes an untouched file afresh; the round trip must have given the same."""
    from blueprintgen import project_yaml
    from blueprintgen.project import ProjectFile

    before = project_text(shop)
    assert ProjectFile.read(shop.root).source == before
    kind, name, fields = change
    if kind == "remove":
        plan_context = operations.remove_resource(shop.root, name, options=PLAIN)
    else:
        plan_context = operations.add_resources(
            shop.root, name, fields=fields, replace=kind == "replace", options=PLAIN
        )
    with plan_context as plan:
        plan.apply()
    after = project_text(shop)
    assert after != before
    assert project_yaml.rewrite(before, yaml.safe_load(after)) == after

"""jsonschema-rs answers "valid?" on the hot path; it must agree with jsonschema everywhere.

Every built-in blueprint and thousands of mutations of them (values swapped for
other JSON values, keys dropped or added, paths escaping the project, bad names and
versions) are judged by both validators; so are mutations of field values against
the published field schema, which both reach through its ``$ref``.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest

from blueprintgen import params, resources, schema, schemarefs

jsonschema_rs = pytest.importorskip("jsonschema_rs")

ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    "",
    "x",
    "Bad Name",
    "../escape.py",
    "/abs.py",
    "a/../../b",
    "1.0",
    "1.0.0",
    "v1",
    "kebab-{resource}",
    "{oops",
    "[",
    "(?P<x",
    [],
    ["x"],
    [1, None],
    {},
    {"x": 1},
]


def builtin_documents() -> list[dict[str, Any]]:
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(resources.blueprints_dir().rglob("*.json"))
    ]


def mutate(rng: random.Random, data: Any) -> Any:
    """One random change somewhere inside ``data``."""
    mutated = copy.deepcopy(data)
    holders: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in node:
                holders.append((node, key))
                walk(node[key])
        elif isinstance(node, list):
            for index in range(len(node)):
                holders.append((node, index))
                walk(node[index])

    walk(mutated)
    if not holders:
        return rng.choice(ODD_VALUES)
    holder, key = rng.choice(holders)
    action = rng.random()
    if action < 0.6:
        holder[key] = copy.deepcopy(rng.choice(ODD_VALUES))
    elif action < 0.8:
        del holder[key]
    elif isinstance(holder, dict):
        holder[rng.choice(["extra", "nmae", "version", "depends_on"])] = rng.choice(ODD_VALUES)
    else:
        holder.append(copy.deepcopy(rng.choice(ODD_VALUES)))
    return mutated


def agree(data: Any) -> None:
    slow_valid = not any(True for _ in schema.validator().iter_errors(data))
    assert schema.fast_validator().is_valid(data) == slow_valid, json.dumps(data)[:400]


def test_builtin_blueprints_are_valid_for_both() -> None:
    documents = builtin_documents()
    assert documents
    for data in documents:
        agree(data)
        assert schema.fast_validator().is_valid(data)


@pytest.mark.parametrize("seed", range(8))
def test_mutations_get_the_same_verdict(seed: int) -> None:
    rng = random.Random(seed)
    documents = builtin_documents()
    for _ in range(400):
        data = rng.choice(documents)
        for _ in range(rng.randint(1, 3)):
            data = mutate(rng, data)
        agree(data)


def field_examples() -> list[Any]:
    """Fields from the field schema's examples and every built-in blueprint's examples."""
    found: list[Any] = list(schemarefs.published()[schemarefs.FIELD_SCHEMA]["examples"])
    for data in builtin_documents():
        for spec in data.get("parameters", {}).values():
            if spec.get("items") == {"$ref": schemarefs.FIELD_SCHEMA}:
                for example in spec.get("examples", []):
                    found.extend(example)
    return found


@pytest.mark.parametrize("seed", range(4))
def test_field_mutations_get_the_same_verdict(seed: int) -> None:
    key = params._items_key({"$ref": schemarefs.FIELD_SCHEMA})
    fast, slow = params._fast_item_validator(key), params._item_validator(key)
    assert fast is not None
    rng = random.Random(seed)
    examples = field_examples()
    assert all(fast.is_valid(field) for field in examples)
    for _ in range(400):
        field = rng.choice(examples)
        for _ in range(rng.randint(1, 3)):
            field = mutate(rng, field)
        assert fast.is_valid(field) == (not any(True for _ in slow.iter_errors(field))), json.dumps(field)

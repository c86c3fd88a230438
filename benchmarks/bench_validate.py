"""Validation throughput (point 4): blueprints validated per second, validator compiled once.

The documents are the built-in blueprints, loaded once. Each validator loops over
them for a fixed time; the rate is documents per second. `blueprintgen schema.check`
is what `validate` does per document: jsonschema-rs says whether it is valid, jsonschema
writes the messages (with positions) only for an invalid one, then the checks the schema
cannot express. The others are the schema check alone; "invalid" rows run a broken copy of
every blueprint through schema.check, the path that produces messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from _common import Row, log


def _rate(check: Callable[[Any], object], documents: list[Any], seconds: float) -> float:
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for document in documents:
            check(document)
        count += len(documents)
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start)


def run(seconds: float) -> tuple[list[Row], dict]:
    from blueprintgen import loader, resources, schema
    from blueprintgen.blueprint import Source

    files = loader.discover(resources.blueprints_dir())
    documents = [loader.load(path, Source.BUILTIN) for path in files]
    datas = [d.data for d in documents]
    # The same blueprints with an unknown top-level field: every one fails the schema.
    broken = [loader.Document(**{**d.__dict__, "data": {**d.data, "unknown_field": 1}}) for d in documents]
    raw: dict[str, Any] = {"documents": len(documents)}
    rows: list[Row] = []
    contenders: dict[str, Callable[[Any], object] | str] = {}
    started = time.perf_counter()
    validator = schema.validator()
    compile_times = {"jsonschema": time.perf_counter() - started}
    contenders["jsonschema iter_errors (blueprintgen's messages)"] = (
        "data",
        lambda d: list(validator.iter_errors(d)),
    )
    contenders["blueprintgen schema.check (jsonschema-rs, then meaning)"] = ("docs", schema.check)
    contenders["blueprintgen schema.check, invalid blueprints (messages)"] = ("broken", schema.check)
    contenders["jsonschema is_valid"] = ("data", validator.is_valid)
    try:
        import fastjsonschema

        started = time.perf_counter()
        fast = fastjsonschema.compile(schema.schema())
        compile_times["fastjsonschema"] = time.perf_counter() - started

        def fast_check(data: Any) -> bool:
            try:
                fast(data)
                return True
            except fastjsonschema.JsonSchemaException:
                return False

        contenders["fastjsonschema"] = ("data", fast_check)
    except Exception as error:  # not installed, or the schema's draft is not supported
        contenders["fastjsonschema"] = f"n/a: {type(error).__name__}: {str(error)[:80]}"
    try:
        import jsonschema_rs

        started = time.perf_counter()
        rs = jsonschema_rs.validator_for(schema.schema())
        compile_times["jsonschema-rs"] = time.perf_counter() - started
        contenders["jsonschema-rs is_valid"] = ("data", rs.is_valid)
        contenders["jsonschema-rs iter_errors"] = ("data", lambda d: list(rs.iter_errors(d)))
    except Exception as error:
        contenders["jsonschema-rs"] = f"n/a: {type(error).__name__}: {str(error)[:80]}"
    log(f"validation: {len(documents)} blueprints, {seconds:.1f} s per validator")
    baseline = None
    for name, entry in contenders.items():
        if isinstance(entry, str):
            rows.append(Row("4 validation", name, "n/a", note=entry))
            continue
        kind, check = entry
        items = {"docs": documents, "broken": broken}.get(kind, datas)
        verdicts = [check(item) for item in items]
        agrees = (
            all(bool(v) for v in verdicts)
            if kind == "broken"
            else all(v in (True, [], None) for v in verdicts)
        )
        rate = _rate(check, items, seconds)
        raw[name] = rate
        if baseline is None and name.startswith("jsonschema iter_errors"):
            baseline = rate
        rows.append(
            Row(
                "4 validation",
                name,
                f"{rate:,.0f} blueprints/s",
                ""
                if baseline is None or name.startswith("jsonschema iter")
                else f"{rate / baseline:.1f}× jsonschema iter_errors",
                note=("" if agrees else "DISAGREES: wrong verdict on the built-ins"),
            )
        )
    raw["compile_seconds"] = compile_times
    rows.append(
        Row(
            "4 validation",
            "schema compile time",
            ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in compile_times.items()),
            note=f"{len(documents)} built-in blueprints",
        )
    )
    return rows, raw

"""Developer sessions: `nox -s tests`, `nox -s lint`, `nox -s bench`."""

from __future__ import annotations

import shutil

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "tests"]


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite, end-to-end runs of generated projects included."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff (lint and format check) and mypy over blueprintgen itself."""
    session.install("-e", ".[dev]")
    session.run("ruff", "check", "src", "tests", "noxfile.py")
    session.run("ruff", "format", "--check", "src", "tests", "noxfile.py")
    session.run("mypy", "src")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks (one table of medians and ratios): `nox -s bench -- --quick`, `-- --write-readme`.

    Generation against copier and a plain-Jinja2 floor, growth with N, start-up,
    validation throughput, the generated app under load against a hand-written one,
    memory, and cost as the tables grow (wrk). See benchmarks/run.py for the options.
    """
    session.install("-e", ".[dev]")
    for optional in ("fastjsonschema", "jsonschema-rs"):  # compared in the validation rows when installable
        try:
            session.install(optional)
        except nox.command.CommandFailed:
            session.warn(f"{optional} could not be installed; its validation row shows n/a")
    if shutil.which("wrk") is None and shutil.which("apt-get") is not None:  # the load client of section 7
        session.run("apt-get", "install", "-y", "-q", "wrk", external=True, success_codes=[0, 100])
    session.run("python", "benchmarks/run.py", *session.posargs)

"""The field-spec grammar in words: the help of ``add resource --field``.

Apart from :mod:`blueprintgen.fieldspec` (which parses specs) so that building the
CLI, which needs this text for every ``--help``, imports nothing else.
"""

from __future__ import annotations

FIELD_SPEC_TEXT = """\
Field spec: NAME:TYPE[?][:MODIFIER...][=DEFAULT] (repeat --field for each field).
Types: str, text, int, float, decimal, bool, date, datetime, uuid, email, url,
json, enum[a,b,...], ref:RESOURCE (a foreign key; the column is NAME_id).
A '?' after the type makes the field optional (nullable, not required on create).
Modifiers: unique, index; on a ref, cascade or set_null chooses what deleting the
referenced row does (default: cascade, or set_null when optional).
Defaults follow the type: 42, 9.99, true, 2024-01-31, a member of the enum.
For example: title:str:unique  age:int?  price:decimal=9.99
role:enum[admin,member]=member  author:ref:author
Quote specs in the shell: --field 'age:int?' --field 'tags:enum[a,b]'.
Without --field a new resource gets: name:str, description:text?,
status:enum[active,inactive]=active; one that exists keeps its fields."""

FIELD_SPEC_HELP_PLAIN = "\b\n" + FIELD_SPEC_TEXT
"""For plain help (click's): ``\\b`` on a line of its own keeps the paragraph's lines as
they are, where click would rewrap them into one (the grammar is a table, not prose)."""

FIELD_SPEC_HELP = FIELD_SPEC_TEXT.replace("[", "\\[")
"""For rich help (typer's, on a terminal): ``[`` escaped from rich markup; typer keeps
the lines of every paragraph after the first."""

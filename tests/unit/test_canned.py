"""Canned responses without a database: filling placeholders safely, checking
an entry, and reading TOML and CSV files with bad rows reported by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from inbox.workspace.canned import BadCanned, check_entry, fill, placeholders_in
from inbox.workspace.canned_files import UnusableFile, parse_csv, parse_toml, read

VALUES = {"name": "Anna Svensson", "claim_number": "CLM-2026-000123",
          "policy_number": "POL-77", "missing_documents": "- photos of the damage",
          "agent_name": "Linnea Berg"}


def test_every_placeholder_is_filled() -> None:
    body = ("Hej {name}, ärende {claim_number} ({policy_number}):\n{missing_documents}\n"
            "/{agent_name}")
    filled = fill(body, VALUES)
    assert filled.text == ("Hej Anna Svensson, ärende CLM-2026-000123 (POL-77):\n"
                           "- photos of the damage\n/Linnea Berg")
    assert (filled.unknown, filled.empty) == ((), ())


def test_unknown_placeholders_stay_visible_and_are_reported() -> None:
    filled = fill("Dear {name}, your {colour} car {0} {}", VALUES)
    assert filled.text == "Dear Anna Svensson, your {colour} car {0} {}"
    assert filled.unknown == ("{colour}", "{0}", "{}")


@pytest.mark.parametrize("body", [
    "{name.__class__.__mro__}", "{name[0]}", "{name!r}", "{name:>999999999}",
    "{0.__globals__}", "{__import__('os')}",
])
def test_format_tricks_are_not_evaluated(body: str) -> None:
    filled = fill(body, VALUES)
    assert filled.text == body  # left as written: no attribute, index, conversion or spec
    assert filled.unknown == (body,)


@pytest.mark.parametrize(("body", "text"), [
    ("a { b", "a { b"), ("a } b", "a } b"), ("{name", "{name"), ("}{", "}{"),
    ("{{name}} is {name}", "{name} is Anna Svensson"),
])
def test_stray_braces_never_crash(body: str, text: str) -> None:
    filled = fill(body, VALUES)
    assert filled.text == text
    assert ("unmatched brace" in filled.unknown) == (text.count("{") != text.count("}")
                                                      or text == "}{")


def test_missing_values_become_empty_and_are_reported() -> None:
    filled = fill("Claim {claim_number} for {name}; {claim_number}", {"name": "Jo"})
    assert filled.text == "Claim  for Jo; "
    assert filled.empty == ("claim_number",)


def test_placeholders_in_a_body() -> None:
    assert placeholders_in("{name} {agent_name} {name} {nme}") == (
        ["name", "agent_name"], ["{nme}"])


def test_check_entry_cleans_and_refuses() -> None:
    entry = check_entry(" Ack ", "DE", " Danke ", "Guten Tag {name},\r\ndanke.\n")
    assert (entry.key, entry.language, entry.title, entry.body) == (
        "ack", "de", "Danke", "Guten Tag {name},\ndanke.")
    for args, message in [
        (("", "en", "t", "b"), "key ''"),
        (("a b", "en", "t", "b"), "key 'a b'"),
        (("ack", "fr", "t", "b"), "language 'fr'"),
        (("ack", "en", " ", "b"), "title is empty"),
        (("ack", "en", "t", "  \n"), "body is empty"),
        (("ack", "en", "t", "Dear {nmae}"), "unknown placeholder {nmae}"),
        (("ack", "en", "t", "Dear {name"), "brace without its pair"),
        (("ack", "en", "t", 5), "must be text"),
    ]:
        with pytest.raises(BadCanned, match=message):
            check_entry(*args)


TOML = '''\
# canned responses
[[canned]]
key = "ack"
language = "en"
title = "Thanks"
body = """
Dear {name}, thanks."""

[[canned]]
key = "ack"
language = "xx"
title = "Bad language"
body = "Hi"

[[canned]]
key = "ack"
language = "de"
title = "Danke"
body = "Hallo {nmae}"

[[canned]]
key = "ack"
language = "en"
title = "Twice"
body = "Again"

[[canned]]
key = "docs"
language = "sv"
title = "Handlingar"
body = "Vi behöver:\\n{missing_documents}"
colour = "blue"

[[canned]]
key = "docs"
language = "en"
body = "no title"
'''


def test_toml_rows_and_bad_rows_with_their_lines() -> None:
    entries, problems = parse_toml(TOML)
    assert [(e.key, e.language, e.line) for e in entries] == [("ack", "en", 2)]
    assert entries[0].body == "Dear {name}, thanks."
    assert [(p.line, p.reason) for p in problems] == [
        (9, "language 'xx': languages are en, de, el, cs, sv, id"),
        (15, "unknown placeholder {nmae}; placeholders are {name}, {claim_number}, "
             "{policy_number}, {missing_documents}, {agent_name} "
             "(write {{ and }} for a literal brace)"),
        (21, "ack (en) is also on line 2"),
        (27, "unknown field colour (fields are key, language, title, body)"),
        (34, "missing title"),
    ]


def test_unusable_toml() -> None:
    with pytest.raises(UnusableFile, match="not TOML"):
        parse_toml("[[canned]\nkey = 1")
    with pytest.raises(UnusableFile, match=r"no \[\[canned\]\] tables"):
        parse_toml('title = "x"')


CSV = '''key,language,title,body
ack,en,Thanks,"Dear {name},

thanks."
ack,fr,Merci,Bonjour
,en,No key,Hi

pay,de,Zahlung,"Ihr Schaden {claim_number}"
pay,de,Zahlung2,"again"
short,en
'''


def test_csv_rows_and_bad_rows_with_their_lines() -> None:
    entries, problems = parse_csv(CSV)
    assert [(e.key, e.language, e.line) for e in entries] == [("ack", "en", 2), ("pay", "de", 8)]
    assert entries[0].body == "Dear {name},\n\nthanks."
    assert [(p.line, p.reason[:30]) for p in problems] == [
        (5, "language 'fr': languages are e"),
        (6, "key '': use 1-64 lower-case le"),
        (9, "pay (de) is also on line 8"),
        (10, "2 cells, the header has 4"),
    ]


def test_csv_without_a_column_is_unusable(tmp_path: Path) -> None:
    with pytest.raises(UnusableFile, match="missing column body"):
        parse_csv("key,language,title\nack,en,Thanks\n")
    path = tmp_path / "latin1.csv"
    path.write_bytes("key,language,title,body\nack,de,Grüße,x\n".encode("latin-1"))
    with pytest.raises(UnusableFile, match="not UTF-8"):
        read(path)


def test_the_demo_file_is_complete_and_valid() -> None:
    from config import SUPPORTED_LANGUAGES

    demo = Path(__file__).resolve().parents[2] / "inbox" / "demo" / "canned.toml"
    entries, problems = read(demo)
    assert problems == []
    keys = {"acknowledgement", "request_documents", "claim_received", "payment_delay"}
    assert {(e.key, e.language) for e in entries} == {
        (k, lang) for k in keys for lang in SUPPORTED_LANGUAGES}
    for entry in entries:
        if entry.key == "request_documents":
            assert "{missing_documents}" in entry.body, entry.language
        assert "{name}" in entry.body, (entry.key, entry.language)

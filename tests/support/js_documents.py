"""The GraphQL documents the web pages and the widget send, read from their JavaScript source.

Pages build documents as string and template literals, joined with ``+`` or with ``${NAME}``
interpolations of other literals (fragments, shared selections), possibly imported from another
module. This reads each file's literals, resolves those interpolations, and returns every literal
that is a GraphQL document: one starting with ``query``, ``mutation``, ``subscription`` or
``fragment``, or given as the first argument of ``request(`` or ``subscribe(``.

An interpolation of anything but a known literal (a mutation name picked at run time) must be
listed in ``expansions`` with every value it can take, so that each variant is checked; one that is
not listed is reported, never skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

KEYWORD_START = re.compile(r"^\s*(query|mutation|subscription|fragment)\b")
CONST = re.compile(r"(?:const|var|let)\s+([A-Za-z_$][\w$]*)\s*=\s*$")
CALL = re.compile(r"\b(request|subscribe)\(\s*$")
IMPORT = re.compile(r"import\s*\{([^}]*)\}\s*from\s*\"\./([\w-]+\.js)\"")
# After one of these, a "/" starts a regular expression rather than a division.
REGEX_PRECEDERS = set("(,=:[!&|?{};+-*%<>~^") | {""}


@dataclass
class Literal:
    """A string or template literal: its text pieces and the ``${...}`` expressions between them."""

    pieces: list[str]
    expressions: list[str]
    line: int
    name: str | None = None  # the const it is assigned to, if any
    called_by: str | None = None  # request or subscribe, when it is their first argument
    joined: list["Literal"] = field(default_factory=list)  # literals appended with "+"


@dataclass(frozen=True)
class Document:
    file: str
    line: int
    text: str


class Unresolved(ValueError):
    pass


def scan(source: str) -> list[Literal]:
    """Every string and template literal of a JavaScript source, in order, with ``+`` chains joined."""
    literals: list[Literal] = []
    i, last_significant, previous_end = 0, "", 0
    while i < len(source):
        char = source[i]
        if source.startswith("//", i):
            i = source.find("\n", i) if source.find("\n", i) != -1 else len(source)
        elif source.startswith("/*", i):
            i = source.index("*/", i) + 2
        elif char in "\"'`":
            literal, end = _read_literal(source, i)
            before = source[:i]
            chained = literals and re.fullmatch(r"\s*\+\s*", source[previous_end:i])
            if chained:
                literals[-1].joined.append(literal)
            else:
                if name := CONST.search(before[-80:]):
                    literal.name = name.group(1)
                if call := CALL.search(before[-40:]):
                    literal.called_by = call.group(1)
                literals.append(literal)
            i, previous_end, last_significant = end, end, char
            continue
        elif char == "/" and last_significant in REGEX_PRECEDERS:
            i = _skip_regex(source, i)
        elif not char.isspace():
            last_significant = char
        i += 1
    return literals


def _read_literal(source: str, start: int) -> tuple[Literal, int]:
    quote, i = source[start], start + 1
    pieces, expressions, current = [], [], []
    while source[i] != quote:
        if source[i] == "\\":
            current.append(source[i : i + 2])
            i += 2
        elif quote == "`" and source.startswith("${", i):
            pieces.append("".join(current))
            current = []
            end = _matching_brace(source, i + 2)
            expressions.append(source[i + 2 : end].strip())
            i = end + 1
        else:
            current.append(source[i])
            i += 1
    pieces.append("".join(current))
    return Literal(pieces, expressions, source.count("\n", 0, start) + 1), i + 1


def _matching_brace(source: str, i: int) -> int:
    depth = 1
    while depth:
        if source[i] in "\"'`":
            _, i = _read_literal(source, i)
            continue
        depth += {"{": 1, "}": -1}.get(source[i], 0)
        i += 1
    return i - 1


def _skip_regex(source: str, i: int) -> int:
    i += 1
    in_class = False
    while source[i] != "/" or in_class:
        if source[i] == "\\":
            i += 1
        elif source[i] == "[":
            in_class = True
        elif source[i] == "]":
            in_class = False
        i += 1
    return i


def documents(root: Path, files: list[Path], expansions: dict[str, list[dict[str, str]]]) -> list[Document]:
    """Every GraphQL document of ``files``; a document with run-time interpolations once for each
    alternative (a mapping of expression to value) listed for its file that covers them."""
    parsed = {path.name: path.read_text(encoding="utf-8") for path in root.rglob("*.js")}
    literals = {name: scan(text) for name, text in parsed.items()}
    found: dict[tuple[str, int, str], Document] = {}
    for path in files:
        named = _names_in_scope(path.name, parsed, literals)
        for literal in literals[path.name]:
            if not (KEYWORD_START.match(literal.pieces[0]) or literal.called_by):
                continue
            dynamic = _dynamic(literal, named)
            alternatives = [a for a in expansions.get(path.name, []) if dynamic <= a.keys()] if dynamic else [{}]
            if not alternatives:
                raise Unresolved(
                    f"{path.name}:{literal.line}: {sorted(dynamic)} are neither known literals nor "
                    "listed with the values they can take"
                )
            for assignment in alternatives:
                text = _text(literal, named, assignment)
                found[(path.name, literal.line, text)] = Document(path.name, literal.line, text)
    return list(found.values())


def _names_in_scope(file: str, parsed: dict[str, str], literals: dict[str, list[Literal]]) -> dict[str, Literal]:
    named = {literal.name: literal for literal in literals[file] if literal.name}
    for imported, module in IMPORT.findall(parsed[file]):
        wanted = {name.strip() for name in imported.split(",")}
        named |= {lit.name: lit for lit in literals.get(module, []) if lit.name in wanted}
    return named


def _dynamic(literal: Literal, named: dict[str, Literal]) -> set[str]:
    parts = [literal, *literal.joined]
    direct = {e for part in parts for e in part.expressions if e not in named}
    return direct.union(*(_dynamic(named[e], named) for part in parts for e in part.expressions if e in named))


def _text(literal: Literal, named: dict[str, Literal], assignment: dict[str, str]) -> str:
    text = ""
    for part in [literal, *literal.joined]:
        text += part.pieces[0]
        for expression, piece in zip(part.expressions, part.pieces[1:], strict=True):
            value = _text(named[expression], named, assignment) if expression in named else assignment[expression]
            text += value + piece
    return text

"""Pattern queries (wildcard, prefix, regexp): checked here, translated here, once.

Elasticsearch reads ``regexp`` values in Lucene's regular-expression syntax and
``wildcard`` values as globs (``*``, ``?``, ``\\`` escapes). The compile stage
checks both before anything runs (syntax, length, and the size of the automaton
they would build, Lucene's own guard against patterns like ``.{1000}{1000}``);
the compiled body keeps the pattern as the user wrote it, for the engine. The
embedded backend and the split filter run the *translation* below: a regular
expression in the syntax Python's ``re`` and Rust's ``regex`` (tantivy) share,
anchored at both ends as Lucene's patterns are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mirror.errors import BadRequest, LimitExceeded, excerpt

#: Lucene stops determinising an automaton at 10,000 states (``max_determinized_states``).
MAX_AUTOMATON_STATES = 10_000
#: Operators Lucene's default flags (ALL) enable that no shared regex syntax can express.
_UNSUPPORTED = {"~": "complement (~)", "&": "intersection (&)", "#": "the empty language (#)",
                "<": "numeric intervals (<n-m>)"}
_META = set(".?+*|{}[]()\"\\@") | set(_UNSUPPORTED) | {">"}
_CLASS_ESCAPES = {"d": r"\d", "D": r"\D", "s": r"\s", "S": r"\S", "w": r"\w", "W": r"\W"}


def _literal(char: str) -> str:
    """One character as a literal in both Python's and Rust's syntax."""
    return re.escape(char) if not char.isalnum() and char != "_" else char


def glob_to_regex(pattern: str) -> str:
    """An Elasticsearch wildcard pattern → a regular expression (``\\*`` stays a literal star)."""
    out, chars, i = [], pattern, 0
    while i < len(chars):
        char = chars[i]
        if char == "\\" and i + 1 < len(chars):
            out.append(_literal(chars[i + 1]))
            i += 2
            continue
        out.append(".*" if char == "*" else "." if char == "?" else _literal(char))
        i += 1
    return "(?s)" + "".join(out)


def prefix_to_regex(prefix: str) -> str:
    return "(?s)" + "".join(_literal(c) for c in prefix) + ".*"


@dataclass
class _Piece:
    """A parsed part of a Lucene regexp: its translation and the automaton states it costs."""

    regex: str
    states: int
    atom: bool = True  # takes a repetition operator without being wrapped in (?:...)


class _LuceneRegex:
    """A recursive-descent reader of Lucene's regexp grammar (RegExp.java, flags ALL).

    Recursion depth is bounded by the caller's length limit and by ``max_depth``.
    """

    def __init__(self, pattern: str, max_depth: int) -> None:
        self.text, self.pos, self.depth, self.max_depth = pattern, 0, 0, max_depth

    def error(self, what: str) -> BadRequest:
        return BadRequest(f"invalid regular expression {excerpt(self.text)}: {what} at position {self.pos}")

    def peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def take(self) -> str:
        char = self.text[self.pos]
        self.pos += 1
        return char

    def parse(self) -> _Piece:
        piece = self.union()
        if self.peek() is not None:
            raise self.error(f"unexpected {self.peek()!r}")
        return piece

    def union(self) -> _Piece:
        parts = [self.concatenation()]
        while self.peek() == "|":
            self.take()
            parts.append(self.concatenation())
        if len(parts) == 1:
            return parts[0]
        return _Piece("|".join(p.regex for p in parts), sum(p.states for p in parts) + 1, atom=False)

    def concatenation(self) -> _Piece:
        parts: list[_Piece] = []
        while self.peek() not in (None, "|", ")"):
            parts.append(self.repetition())
        if len(parts) == 1:
            return parts[0]
        # every part is an atom or a repetition, so plain juxtaposition keeps the grouping
        return _Piece("".join(p.regex for p in parts), sum(p.states for p in parts), atom=False)

    def repetition(self) -> _Piece:
        piece = self.atom()
        while self.peek() in ("*", "+", "?", "{"):
            op = self.take()
            base = piece.regex if piece.atom else f"(?:{piece.regex})"
            if op in "*+?":
                piece = _Piece(base + op, piece.states + 1, atom=False)  # "a*+" is (a*)+, not possessive
                continue
            low, high = self.bounds()
            copies = high if high is not None else low + 1
            suffix = f"{{{low}}}" if high == low else f"{{{low},}}" if high is None else f"{{{low},{high}}}"
            piece = _Piece(base + suffix, piece.states * max(copies, 1) + 1, atom=False)
            if piece.states > MAX_AUTOMATON_STATES:
                raise self.too_complex()
        return piece

    def bounds(self) -> tuple[int, int | None]:
        match = re.compile(r"(\d{1,6})(?:(,)(\d{1,6})?)?\}").match(self.text, self.pos)
        if not match:
            raise self.error("a repetition must look like {n}, {n,} or {n,m}")
        self.pos = match.end()
        low = int(match[1])
        high = low if not match[2] else (int(match[3]) if match[3] else None)
        if high is not None and high < low:
            raise self.error(f"the repetition {{{low},{high}}} has its bounds reversed")
        return low, high

    def too_complex(self) -> LimitExceeded:
        return LimitExceeded(f"regular expression {excerpt(self.text)} is too complex: it would need more than "
                             f"{MAX_AUTOMATON_STATES:,} automaton states (Elasticsearch's limit)")

    def atom(self) -> _Piece:
        char = self.peek()
        if char == "(":
            self.take()
            self.depth += 1
            if self.depth > self.max_depth:
                raise LimitExceeded(f"regular expression {excerpt(self.text)} nests groups deeper than "
                                    f"{self.max_depth} (LENS_MIRROR_MAX_NESTING_DEPTH)")
            if self.peek() == ")":
                self.take()
                self.depth -= 1
                return _Piece("(?:)", 1)
            inner = self.union()
            if self.peek() != ")":
                raise self.error("missing )")
            self.take()
            self.depth -= 1
            return _Piece(f"(?:{inner.regex})", inner.states)
        if char == "[":
            return self.char_class()
        if char == '"':
            self.take()
            end = self.text.find('"', self.pos)
            if end < 0:
                raise self.error('missing closing "')
            literal = self.text[self.pos:end]
            self.pos = end + 1
            return _Piece(f"(?:{''.join(_literal(c) for c in literal)})" if literal else "(?:)", len(literal) or 1)
        if char == ".":
            self.take()
            return _Piece(".", 1)
        if char == "@":
            self.take()
            return _Piece("(?:.*)", 1)
        if char == "\\":
            self.take()
            if self.peek() is None:
                raise self.error("a pattern cannot end with a backslash")
            escaped = self.take()
            return _Piece(_CLASS_ESCAPES.get(escaped) or _literal(escaped), 1)
        if char in _UNSUPPORTED:
            raise BadRequest(f"regular expression {excerpt(self.text)}: {_UNSUPPORTED[char]} is not supported "
                             "by lens-mirror; escape the character with \\ to match it literally")
        if char in ("*", "+", "?", "{", ")", "]", ">", "}"):
            raise self.error(f"{char!r} has nothing to apply to (escape it with \\ to match it)")
        self.take()
        return _Piece(_literal(char), 1)  # type: ignore[arg-type]

    def char_class(self) -> _Piece:
        self.take()  # [
        out = ["["]
        if self.peek() == "^":
            self.take()
            out.append("^")
        members = 0
        while True:
            char = self.peek()
            if char is None:
                raise self.error("missing ]")
            if char == "]" and members:
                self.take()
                break
            first = self.class_char()
            members += 1
            if self.peek() == "-" and self.pos + 1 < len(self.text) and self.text[self.pos + 1] != "]":
                self.take()
                last = self.class_char()
                if len(first) == 1 and len(last) == 1 and ord(last) < ord(first):
                    raise self.error(f"the range {first}-{last} is reversed")
                out.append(f"{_class_literal(first)}-{_class_literal(last)}")
            else:
                out.append(first if first in _CLASS_ESCAPES.values() else _class_literal(first))
        out.append("]")
        return _Piece("".join(out), 1)

    def class_char(self) -> str:
        char = self.take()
        if char != "\\":
            return char
        if self.peek() is None:
            raise self.error("a pattern cannot end with a backslash")
        escaped = self.take()
        return _CLASS_ESCAPES.get(escaped, escaped)


def _class_literal(char: str) -> str:
    return "\\" + char if char in "\\]^-[&~|" else char


def lucene_regex_to_regex(pattern: str, max_depth: int = 30) -> str:
    """A Lucene regexp (the syntax of Elasticsearch's ``regexp`` query) → a regular expression.

    Raises :class:`BadRequest` for bad syntax, for operators no shared syntax has,
    and :class:`LimitExceeded` for patterns whose automaton would be too large.
    """
    return "(?s)" + _LuceneRegex(pattern, max_depth).parse().regex


def check_pattern(kind: str, value: str, max_length: int, max_depth: int) -> str:
    """Check a wildcard / prefix / regexp value; return its translation."""
    if len(value) > max_length:
        raise LimitExceeded(f"{kind} pattern {excerpt(value)} is {len(value):,} characters long; the limit is "
                            f"{max_length:,} (LENS_MIRROR_MAX_PATTERN_LENGTH)")
    if kind == "regexp":
        return lucene_regex_to_regex(value, max_depth)
    if kind == "wildcard":
        return glob_to_regex(value)
    return prefix_to_regex(value)


def to_regex(kind: str, value: str) -> str:
    """The translation of an already checked pattern (what the executors run)."""
    return check_pattern(kind, value, len(value), 1 << 30)


__all__ = ["check_pattern", "glob_to_regex", "lucene_regex_to_regex", "prefix_to_regex", "to_regex"]

"""Bounded work: the limits one request's compiling and execution must stay within.

The values and their defaults are declared once, in the settings
(``LENS_MIRROR_MAX_*``); this module only carries them, as plain data. Each breach is a
:class:`~mirror.errors.LimitExceeded` (400) naming the setting to raise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from mirror.errors import LimitExceeded
from mirror.settings import Settings


def _default(name: str) -> Any:
    return Settings.model_fields[name].default


@dataclass(frozen=True)
class Limits:
    max_query_length: int = _default("max_query_length")
    max_pattern_length: int = _default("max_pattern_length")
    max_nesting_depth: int = _default("max_nesting_depth")
    max_clauses: int = _default("max_clauses")
    max_terms: int = _default("max_terms")
    max_source_paths: int = _default("max_source_paths")
    max_slop: int = _default("max_slop")
    max_agg_depth: int = _default("max_agg_depth")
    max_buckets: int = _default("max_buckets")

    @classmethod
    def from_settings(cls, settings: Settings) -> "Limits":
        return cls(**{f.name: getattr(settings, f.name) for f in fields(cls)})

    @staticmethod
    def breach(what: str, limit: int, setting: str) -> LimitExceeded:
        return LimitExceeded(f"{what}; the limit is {limit:,} (LENS_MIRROR_{setting.upper()})")


_WORD = re.compile(r"\w+")


def words(text: str) -> int:
    """An upper bound on the terms an analyser makes of ``text`` (at least one)."""
    return max(1, len(_WORD.findall(text)))


class Budget:
    """Counts the clauses one request compiles to, and stops at the limit, not after.

    Clauses are counted as Elasticsearch's ``max_clause_count`` counts them once a
    query is expanded: a text match is a clause per term, a search over several
    fields a clause per field, so 1,000 bare words over seven default fields are
    7,000 clauses, not 1,000. A phrase counts its words too: each is a posting list
    the engine must align, which is what makes long phrase lists slow.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits, self.clauses = limits, 0

    def spend(self, count: int = 1) -> None:
        self.clauses += count
        if self.clauses > self.limits.max_clauses:
            raise self.limits.breach("the query has too many clauses", self.limits.max_clauses, "max_clauses")

    def check_depth(self, depth: int) -> None:
        if depth > self.limits.max_nesting_depth:
            raise self.limits.breach("the query nests too deeply", self.limits.max_nesting_depth,
                                     "max_nesting_depth")


__all__ = ["Budget", "Limits"]

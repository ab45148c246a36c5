"""Running a compiled search body on a tantivy searcher: sorting, paging, min_score.

tantivy orders by one fast field (or the score) at a time. A multi-key sort with
the ``lens_id`` tie-breaker is exact here: the primary key fetches a window one
longer than needed; when the cut falls inside a group of equal primary values,
the whole group is fetched; the candidates are then ordered by the full key in
Python. Missing values sort last in both directions, as in Elasticsearch.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any

import orjson
import tantivy

from mirror.backends.source import project
from mirror.errors import ServiceUnavailable
from mirror.query.families import FAMILY_AGGREGATION

from .aggregating import AggregationRunner
from .fields import ID, LENS_KEY, PROJECTION, SOURCE, FieldSpec
from .projections import ProjectionStore, projector
from .queries import QueryTranslator

SCORE = "_score"


@dataclass(slots=True)  # one per candidate: an export makes 100,000
class Hit:
    address: Any
    score: float | None
    keys: dict[str, Any]


def _sort_value(value: Any, order: str) -> tuple[int, Any]:
    """A sort key part: missing values last whatever the direction (Elasticsearch's ``_last``)."""
    if value is None:
        return (1, 0)
    if order == "desc":
        if isinstance(value, bool):
            value = int(value)
        return (0, -value) if isinstance(value, (int, float)) else (0, _Reversed(value))
    return (0, value)


class _Reversed:
    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        self.v = v

    def __lt__(self, other: "_Reversed") -> bool:
        return self.v > other.v

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.v == other.v


class SearchRunner:
    def __init__(self, searcher: tantivy.Searcher, translator: QueryTranslator, specs: dict[str, FieldSpec],
                 tie_breaker: str, product: str, projections: ProjectionStore | None = None) -> None:
        self.searcher, self.translator, self.specs = searcher, translator, specs
        self.tie_breaker = tie_breaker  # the index name of lens_id; sorted through _lens_key
        self.product, self.projections = product, projections

    def run(self, body: dict[str, Any]) -> dict[str, Any]:
        from . import families  # it builds on this module

        if "collapse" in body:  # group_by: one hit per family
            return families.run_collapsed(self, body)
        query = self.translator.translate(body.get("query") or {"match_all": {}})
        size, offset = int(body.get("size", 10)), int(body.get("from", 0))
        keys = self.sort_keys(body)
        min_score = body.get("min_score")
        if min_score is not None:
            hits, total = self._all_scored(query, float(min_score))
        elif not size:
            hits, total = [], self._count(query)  # tantivy refuses a limit of 0
        else:
            # With only lens_id after the primary key, a large group of equal primary
            # values can be cut to its smallest Lens IDs before any Python sorting.
            trim = len(keys) == 2 and keys[1][0] == self.tie_breaker
            hits, total = self._window(query, keys, offset + size, trim)
        self._complete_keys(hits, keys)
        hits.sort(key=lambda h: tuple(_sort_value(h.keys.get(k), o) for k, o in keys))
        result = self.answer(body, keys, hits[offset: offset + size], total, scored=hits)
        aggs = body.get("aggs")
        if aggs and set(aggs) == {FAMILY_AGGREGATION}:  # group_by's count, expand_by's listing
            result["aggregations"] = families.aggregate(
                aggs, families.column_reader(self, query, None if min_score is None else float(min_score)))
        elif aggs:
            result["aggregations"] = AggregationRunner(self.searcher, self.translator, self.specs).run(query, aggs)
        return result

    def answer(self, body: dict[str, Any], keys: list[tuple[str, str]], page: list[Hit], total: int,
               scored: list[Hit] | None = None) -> dict[str, Any]:
        """Elasticsearch's ``hits`` answer for ``page``. Under a relevance sort ``max_score`` is
        the best score of ``scored`` (the page itself unless given), as Elasticsearch reports it."""
        scored = page if scored is None else scored
        max_score = None
        if keys[0][0] == SCORE and int(body.get("size", 10)) and scored:
            max_score = max(h.score or 0.0 for h in scored)
        return {"hits": {"total": {"value": total, "relation": "eq"}, "max_score": max_score,
                         "hits": self._hits(page, keys, body.get("_source") or {})}}

    @staticmethod
    def sort_keys(body: dict[str, Any]) -> list[tuple[str, str]]:
        """``[(index field or _score, "asc"|"desc"), ...]`` of a body's sort."""
        keys = [next(iter(s.items())) for s in body.get("sort") or [{SCORE: {"order": "desc"}}]]
        return [(k, (v["order"] if isinstance(v, dict) else v)) for k, v in keys]

    # -- candidate windows -------------------------------------------------------
    def _count(self, query: tantivy.Query) -> int:
        return self.searcher.search(query, 1, count=True).count  # type: ignore[attr-defined]  # stub lacks it

    def _all_scored(self, query: tantivy.Query, min_score: float) -> tuple[list[Hit], int]:
        count = self._count(query)
        if not count:
            return [], 0
        found = self.searcher.search(query, count, count=False).hits
        hits = [Hit(a, s, {SCORE: s}) for s, a in found if s >= min_score]
        return hits, len(hits)

    def _window(self, query: tantivy.Query, keys: list[tuple[str, str]], window: int,
                trim: bool) -> tuple[list[Hit], int]:
        """Candidates for the first ``window`` places, and the number of matches.

        The count comes from the same tantivy search as the hits: one pass, not two.
        """
        key, order = keys[0]
        if key == SCORE:
            return self._score_window(query, order, window, trim)
        return self._field_window(query, key, order, window, trim)

    def _smallest_lens_ids(self, addresses: list[Any], need: int) -> list[tuple[Any, int]]:
        """The ``need`` addresses with the smallest Lens IDs, with their sort keys."""
        lens_keys: list[int] = list(self.searcher.fast_field_values(LENS_KEY, addresses))  # type: ignore[arg-type]
        chosen = heapq.nsmallest(need, range(len(addresses)), key=lambda i: lens_keys[i])
        return [(addresses[i], lens_keys[i]) for i in chosen]

    def _score_window(self, query: tantivy.Query, order: str, window: int, trim: bool) -> tuple[list[Hit], int]:
        if order == "asc":  # tantivy keeps the best scores; the worst need every match
            total = self._count(query)
            found = self.searcher.search(query, total, count=False).hits if total else []
            return [Hit(a, s, {SCORE: s}) for s, a in found], total
        limit = window + 1
        result = self.searcher.search(query, limit, count=True)
        total, found = result.count, result.hits  # type: ignore[attr-defined]  # the stub lacks count
        # grow the window until the cut no longer splits a group of equal scores
        while len(found) > window and found[window - 1][0] == found[-1][0] and limit < total:
            limit = min(total, limit * 4)
            found = self.searcher.search(query, limit, count=False).hits
        if trim and len(found) > window:
            boundary = found[window - 1][0]
            above = [(s, a) for s, a in found if s > boundary]
            tied = self._smallest_lens_ids([a for s, a in found if s == boundary], window - len(above))
            return [Hit(a, s, {SCORE: s}) for s, a in above] + [
                Hit(a, boundary, {SCORE: boundary, self.tie_breaker: k}) for a, k in tied], total
        return [Hit(a, s, {SCORE: s}) for s, a in found], total

    def _field_window(self, query: tantivy.Query, key: str, order: str, window: int,
                      trim: bool) -> tuple[list[Hit], int]:
        field = LENS_KEY if key == self.tie_breaker else key
        direction = tantivy.Order.Desc if order == "desc" else tantivy.Order.Asc
        result = self.searcher.search(query, window + 1, count=True, order_by_field=field, order=direction)
        total, found = result.count, result.hits  # type: ignore[attr-defined]  # the stub lacks count
        hits = [Hit(a, None, {key: v}) for v, a in found]
        if len(found) <= window or found[window - 1][0] != found[window][0]:
            return hits[:window], total
        boundary = found[window - 1][0]
        kept = [h for h in hits if h.keys[key] != boundary]
        group = self._group(query, key, boundary)
        if trim and len(kept) + len(group) > window:
            tied = self._smallest_lens_ids([h.address for h in group], window - len(kept))
            group = [Hit(a, None, {key: boundary, self.tie_breaker: k}) for a, k in tied]
        return kept + group, total

    def _group(self, query: tantivy.Query, key: str, value: Any) -> list[Hit]:
        """Every match whose ``key`` equals ``value`` (``None``: has no value)."""
        spec = self.specs[key]
        if value is None:
            exists = self.translator.translate({"exists": {"field": key}})
            group = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.MustNot, exists)])
        else:
            if spec.type in ("boolean", "keyword"):  # tantivy cannot range over text fields
                same = tantivy.Query.term_query(self.translator.schema, key, value)
            else:
                same = tantivy.Query.range_query(self.translator.schema, key, tantivy.FieldType.Integer, value,
                                                 value)
            group = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, same)])
        count = self._count(group)
        if not count:
            return []
        return [Hit(a, None, {key: value}) for _, a in self.searcher.search(group, count, count=False).hits]

    # -- full sort keys ----------------------------------------------------------------
    def _complete_keys(self, hits: list[Hit], keys: list[tuple[str, str]]) -> None:
        for key, _ in keys:
            missing = [h for h in hits if key not in h.keys]
            if not missing:
                continue
            if key == SCORE:
                for h in missing:
                    h.keys[SCORE] = h.score
                continue
            values: list[Any]
            if key == self.tie_breaker:
                values = self.searcher.fast_field_values(LENS_KEY, [h.address for h in missing])
            elif self.specs[key].type == "keyword":  # stored as given; compare as indexed
                normalise = self.specs[key].normalise
                values = [normalise(self.searcher.doc(h.address).get_first(key) or "") or None for h in missing]
            else:
                values = self.searcher.fast_field_values(key, [h.address for h in missing])
            for h, v in zip(missing, values, strict=True):  # one value per address asked for
                h.keys[key] = v

    def _hits(self, page: list[Hit], keys: list[tuple[str, str]], source: dict[str, Any]) -> list[dict[str, Any]]:
        """The page's hits; include-only projections from the records' pruned copies where they can."""
        includes, excludes = source.get("includes"), source.get("excludes")
        project_pruned = None
        if page and includes and not excludes and self.projections is not None:
            project_pruned = projector(self.product, tuple(includes))
        if project_pruned is None:
            return [self._hit(h, keys, source) for h in page]
        columns: list[int] = self.searcher.fast_field_values(PROJECTION, [h.address for h in page])  # type: ignore[assignment]
        hits = []
        for hit, entry in zip(page, self.projections.entries(columns), strict=True):  # type: ignore[union-attr]
            projected = None if entry is None else project_pruned.project(entry)
            if projected is None:  # no copy, or an include needs what pruning dropped
                hits.append(self._hit(hit, keys, source))
                continue
            hits.append(self._answer(hit, *projected, keys))
        return hits

    def _hit(self, hit: Hit, keys: list[tuple[str, str]], source: dict[str, Any]) -> dict[str, Any]:
        doc = self.searcher.doc(hit.address)
        raw = doc.get_first(SOURCE)
        if raw is None:  # every document is written with its source
            raise ServiceUnavailable("the index holds a document without its stored source; rebuild it with "
                                     "'lens-mirror index --rebuild'")
        includes, excludes = source.get("includes"), source.get("excludes")
        # With nothing to project, the stored bytes go out as they are: parsing twenty
        # records only to serialise them again was a quarter of a search's time.
        record = project(orjson.loads(raw), includes, excludes) if includes or excludes else orjson.Fragment(raw)
        return self._answer(hit, doc.get_first(ID), record, keys)

    def _answer(self, hit: Hit, lens_id: str | None, record: Any, keys: list[tuple[str, str]]) -> dict[str, Any]:
        """One hit as Elasticsearch answers it, whether its record came from the store or a pruned copy."""
        return {
            "_id": lens_id,
            "_score": hit.score,
            "_source": record,
            # the tie-breaker sorts by an internal integer; show the Lens ID itself
            "sort": [lens_id if k == self.tie_breaker else hit.keys.get(k) for k, _ in keys],
        }

"""One sample's shared view: caches of cheap per-index facts and the citation links.

A ``Universe`` belongs to one (seed, count). It memoises lens ids, scholarly skeletons and
stubs, and patent chunk plans, because neighbouring records keep asking for the same
neighbours. The caches only ever hold values that are pure functions of (seed, index), so
they change speed, never output; they are bounded by being dropped wholesale when full.

Cross-product links assume the companion sample of the other product was generated with
the same seed and count (the demo and the tests generate both that way): a scholarly
record's ``patent_citations`` point at patent indices below ``count``, and the patents'
``nplcit`` entries point back at exactly those scholarly records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from mirror.sample.graph import C1 as _C1  # the pair hash, inlined below
from mirror.sample.graph import C2 as _C2
from mirror.sample.graph import TWO64, TopicBlocks
from mirror.sample.ids import MASK64, hash_at, lens_id_for, stream_key, unit
from mirror.sample.patent_plan import CHUNK, Doc, plan_chunk
from mirror.sample.stubs import Skeleton, Stub, skeleton, stub

_CACHE_LIMIT = 8192
_MISSING = object()
T = TypeVar("T")

# How far (in blocks of 64 indices) to look for same-topic partners, and the base keep
# probabilities. Together they give on average about 5 references per scholarly work, 4-5
# cited patents per patent and 2 resolved non-patent citations per patent (fewer for small
# topics and near the end of a sample, whose partners past ``count`` are dropped); the
# wider the window, the slower the generator.
SPAN = 1
CROSS_SPAN = 0
KEEP_SCHOLARLY = 0.62
KEEP_PATENT = 0.5
KEEP_CROSS = 0.75


class Universe:
    """Caches and links of one sample (one seed and count)."""

    __slots__ = ("seed", "count", "_sids", "_pids", "_skel", "_stub", "_chunks", "_pop_key", "_keys",
                 "sblocks", "pblocks", "_memo")

    def __init__(self, seed: int, count: int) -> None:
        self.seed = seed
        self.count = count
        self._sids: dict[int, str] = {}
        self._pids: dict[int, str] = {}
        self._skel: dict[int, Skeleton] = {}
        self._stub: dict[int, Stub] = {}
        self._chunks: dict[int, list[Doc]] = {}
        self._pop_key = stream_key(seed, "patent-popularity")
        self._keys = tuple(stream_key(seed, name) for name in ("links-ss", "links-pp", "links-ps"))
        self._memo: dict[tuple[object, ...], object] = {}
        self.sblocks = TopicBlocks(self._scholarly_fact)
        self.pblocks = TopicBlocks(self._patent_fact)

    # -- cached facts ------------------------------------------------------------------
    def sid(self, index: int) -> str:
        """Lens ID of scholarly record ``index``."""
        v = self._sids.get(index)
        if v is None:
            if len(self._sids) > _CACHE_LIMIT:
                self._sids.clear()
            v = self._sids[index] = lens_id_for("scholarly", self.seed, index)
        return v

    def pid(self, index: int) -> str:
        """Lens ID of patent record ``index``."""
        v = self._pids.get(index)
        if v is None:
            if len(self._pids) > _CACHE_LIMIT:
                self._pids.clear()
            v = self._pids[index] = lens_id_for("patent", self.seed, index)
        return v

    def skel(self, index: int) -> Skeleton:
        v = self._skel.get(index)
        if v is None:
            if len(self._skel) > _CACHE_LIMIT:
                self._skel.clear()
            v = self._skel[index] = skeleton(self.seed, index)
        return v

    def stub(self, index: int) -> Stub:
        v = self._stub.get(index)
        if v is None:
            if len(self._stub) > _CACHE_LIMIT:
                self._stub.clear()
            v = self._stub[index] = stub(self.seed, index, self.skel(index))
        return v

    def doc(self, index: int) -> Doc:
        c = index // CHUNK
        plan = self._chunks.get(c)
        if plan is None:
            plan = self.chunk(c)
        return plan[index - c * CHUNK]

    def chunk(self, c: int) -> list[Doc]:
        """The plan of patent chunk ``c`` (indices c*CHUNK ... c*CHUNK + CHUNK - 1)."""
        plan = self._chunks.get(c)
        if plan is None:
            if len(self._chunks) > _CACHE_LIMIT // CHUNK:
                self._chunks.clear()
            plan = self._chunks[c] = plan_chunk(self.seed, c)
        return plan

    def memo(self, key: tuple[object, ...], make: Callable[[], T]) -> T:
        """Memoise ``make()`` under ``key``: for values shared by a family's members, who
        sit next to each other in index order. ``make`` must be a pure function of the key."""
        v = self._memo.get(key, _MISSING)
        if v is _MISSING:
            if len(self._memo) > _CACHE_LIMIT:
                self._memo.clear()
            v = self._memo[key] = make()
        return v  # type: ignore[return-value]

    def patent_popularity(self, index: int) -> float:
        u = unit(hash_at(self._pop_key, index))
        return u * u * 1.6

    # Block facts carry each record's keep-thresholds precomputed as 64-bit integers, so
    # the inner loops below compare integers and never call out.
    def _scholarly_fact(self, index: int) -> tuple[int, int, int, int]:
        sk = self.skel(index)
        return sk.topic, sk.published, int(KEEP_SCHOLARLY * (0.3 + sk.popularity) * TWO64), \
            int(KEEP_CROSS * (0.2 + sk.popularity) * TWO64)

    def _patent_fact(self, index: int) -> tuple[int, int, int, int]:
        doc = self.doc(index)
        return doc.simple.extended.topic, doc.published, \
            int(KEEP_PATENT * (0.3 + self.patent_popularity(index)) * TWO64), 0

    # -- links -------------------------------------------------------------------------
    # The hot path of the generator, hence the inlined ``graph.pair_hash`` arithmetic:
    # h(lo, hi) = mix(((lo * C1 + hi) ^ key) * C2), compared with a threshold.
    def scholarly_links(self, i: int) -> tuple[list[int], list[int], list[int]]:
        """(cited scholarly works, citing scholarly works, citing patents) of work ``i``."""
        _, my_date, my_bar, my_cross = self._scholarly_fact(i)
        topic = self.skel(i).topic
        key = self._keys[0]
        refs: list[int] = []
        citers: list[int] = []
        for p, date, bar, _ in self.sblocks.neighbours(i, topic, SPAN, self.count):
            if p == i:
                continue
            if date < my_date or (date == my_date and p < i):  # the partner is older: i cites it
                x = ((((p * _C1 + i) if p < i else (i * _C1 + p)) ^ key) * _C2) & MASK64
                if x ^ (x >> 29) < bar:
                    refs.append(p)
            else:
                x = ((((p * _C1 + i) if p < i else (i * _C1 + p)) ^ key) * _C2) & MASK64
                if x ^ (x >> 29) < my_bar:
                    citers.append(p)
        key = self._keys[2]
        patents = []
        for p, date, _, _ in self.pblocks.neighbours(i, topic, CROSS_SPAN, self.count):
            if date >= my_date:  # a patent cites only what was published before it
                x = (((p * _C1 + i) ^ key) * _C2) & MASK64
                if x ^ (x >> 29) < my_cross:
                    patents.append(p)
        return refs, citers, patents

    def patent_links(self, i: int) -> tuple[list[int], list[int], list[int]]:
        """(cited patents, citing patents, cited scholarly works) of patent ``i``."""
        topic, my_date, my_bar, _ = self._patent_fact(i)
        first, last = i - i % CHUNK, i - i % CHUNK + CHUNK  # one's own family plan: no links
        key = self._keys[1]
        cited: list[int] = []
        citing: list[int] = []
        for p, date, bar, _ in self.pblocks.neighbours(i, topic, SPAN, self.count):
            if first <= p < last:
                continue
            if date < my_date or (date == my_date and p < i):
                x = ((((p * _C1 + i) if p < i else (i * _C1 + p)) ^ key) * _C2) & MASK64
                if x ^ (x >> 29) < bar:
                    cited.append(p)
            else:
                x = ((((p * _C1 + i) if p < i else (i * _C1 + p)) ^ key) * _C2) & MASK64
                if x ^ (x >> 29) < my_bar:
                    citing.append(p)
        key = self._keys[2]
        npl = []
        for s, date, _, cross in self.sblocks.neighbours(i, topic, CROSS_SPAN, self.count):
            if date <= my_date:
                x = (((i * _C1 + s) ^ key) * _C2) & MASK64
                if x ^ (x >> 29) < cross:
                    npl.append(s)
        return cited, citing, npl

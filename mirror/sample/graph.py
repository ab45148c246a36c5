"""Citation links that both ends can compute on their own.

A record must list its references *and* the records citing it, and the two lists must agree
across the whole sample, yet each record is generated independently. So a link is decided
by a symmetric rule that either end can evaluate:

* candidates of record ``i`` are the records of the *same topic* whose index lies within a
  few blocks of ``i`` (blocks of ``BLOCK`` indices; a per-block topic index makes finding
  them cheap);
* the pair (lo, hi) is kept when a keyed hash of the pair falls below a threshold that
  depends only on facts both ends know (dates, popularity);
* a kept pair is a citation from the newer record to the older one.

Restricting a sample to its first ``count`` records only drops pairs with an end at
``count`` or above, which keeps every list consistent and leaves record ``i`` otherwise
unchanged. Topic-local candidates make reference lists topically coherent; the window
keeps the caches of the generators warm.
"""

from __future__ import annotations

from collections.abc import Callable

from mirror.sample.ids import MASK64

BLOCK_BITS = 6
BLOCK = 1 << BLOCK_BITS
TWO64 = float(1 << 64)
C1 = 0x9E3779B97F4A7C15  # multipliers of pair_hash (Universe inlines it in its loops)
C2 = 0xBF58476D1CE4E5B9

Fact = tuple[int, int, int, int]  # (index, date ordinal, keep-threshold, cross-threshold)
_EMPTY: tuple[Fact, ...] = ()


def pair_hash(key: int, lo: int, hi: int) -> int:
    """A 64-bit hash of the unordered pair {lo, hi} (lo < hi) under ``key``: compare it
    with ``p * TWO64`` for a draw with probability p. One multiply-xorshift round is
    plenty for deciding links and keeps the inner loops cheap."""
    x = (((lo * C1 + hi) ^ key) * C2) & MASK64
    return x ^ (x >> 29)


class TopicBlocks:
    """For each block of ``BLOCK`` consecutive indices: topic -> facts of that topic.

    Built lazily per block from ``fact_of`` (index -> (topic, date, thresholds)) and
    cached (bounded), so scanning the same-topic neighbours of a record costs a few list
    walks instead of a lookup per index.
    """

    __slots__ = ("_fact_of", "_blocks")

    def __init__(self, fact_of: Callable[[int], tuple[int, int, int, int]]) -> None:
        self._fact_of = fact_of
        self._blocks: dict[int, dict[int, tuple[Fact, ...]]] = {}

    def members(self, block: int, topic: int) -> tuple[Fact, ...]:
        table = self._blocks.get(block)
        if table is None:
            if len(self._blocks) > 512:
                self._blocks.clear()
            grouped: dict[int, list[Fact]] = {}
            start = block << BLOCK_BITS
            fact_of = self._fact_of
            for idx in range(start, start + BLOCK):
                t, d, bar, cross = fact_of(idx)
                grouped.setdefault(t, []).append((idx, d, bar, cross))
            table = self._blocks[block] = {t: tuple(v) for t, v in grouped.items()}
        return table.get(topic, _EMPTY)

    def neighbours(self, index: int, topic: int, span: int, limit: int) -> list[Fact]:
        """Facts of the same-topic indices below ``limit`` (the sample size) in the blocks
        within ``span`` of ``index``'s block (the caller skips the record itself)."""
        centre = index >> BLOCK_BITS
        out: list[Fact] = []
        for block in range(max(0, centre - span), centre + span + 1):
            if block << BLOCK_BITS >= limit:
                break
            members = self.members(block, topic)
            if (block + 1) << BLOCK_BITS <= limit:
                out.extend(members)
            else:
                out.extend(m for m in members if m[0] < limit)
        return out

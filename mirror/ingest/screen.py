"""Per-line checks: which lines are Lens records, and which a filter keeps.

A block of input lines becomes a list of *segments*: runs of consecutive good
lines (slices of the original bytes, so the output stays byte-identical to the
input) and ``Removed`` markers for lines that go to quarantine or that the
filter drops. A block with nothing removed, by far the common case, comes back
as the block itself, uncopied.

Two strengths of validation, because a full parse is not cheap next to the
rest of the pipeline (measured on ~3 KB scholarly records, 2 cores: the whole
fast-validated split costs ~12 ms of CPU per MB, mostly zstd; ``orjson.loads``
on every line adds 3.5-6 ms per MB, which took the 1.1 GB benchmark from
~1.9x to ~1.4x the speed of the shell recipe):

``"full"``  every line goes through ``orjson.loads``: each chunk line is a valid
            JSON object whose top-level ``lens_id`` is a string.
``"fast"``  (the default) a line that starts with ``{"lens_id":"`` and ends with
            ``}`` is accepted without parsing (~0.15 ms per MB); any other line
            is fully parsed and judged as in "full", so nothing valid is ever
            quarantined. Guaranteed for accepted lines: an object whose first
            key is a top-level string ``lens_id`` (the layout Lens writes), and
            that is not cut short. Not guaranteed: that the middle of the line
            is well-formed JSON. For gzip/zstd input the decoders' checksums
            already rule out damage in transit, so what slips through is only
            a record Lens itself wrote malformed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import orjson

Keep = Callable[[dict], bool]
FAST, FULL, OFF = "fast", "full", "off"
LENS_PREFIX = b'{"lens_id":"'
CLOSE_BRACE = ord("}")


@dataclass(slots=True)
class Removed:
    line: bytes  # the line without its newline
    size: int  # input bytes it occupied, newline included
    reason: str | None  # why it was quarantined; None means the filter dropped it


Segment = bytes | Removed


def judge(line: bytes) -> tuple[dict | None, str | None]:
    """Fully parse one line: (record, None) if it is a Lens record, else (None, reason)."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return None, f"not JSON: {exc}"
    if type(record) is not dict:
        return None, "not a JSON object"
    if "lens_id" not in record:
        return None, "no lens_id"
    if type(record["lens_id"]) is not str:
        return None, "lens_id is not a string"
    return record, None


def screen_block(block: bytes, mode: str = FAST, keep: Keep | None = None
                 ) -> tuple[list[Segment], int, str | None, str | None]:
    """Validate (and filter) every line of a line-aligned block.

    Returns (segments, number of kept lines, lens_id of the first and of the
    last valid record). Filtered-out records count as valid: they are part of
    the input. ``keep`` implies a full parse of every line.
    """
    # Walks the block with find() instead of split(): no per-line objects on the
    # fast path, which matters at ~1,400 lines per 4 MB block.
    fast = mode == FAST and keep is None
    find, startswith = block.find, block.startswith
    segments: list[Segment] = []
    first: str | None = None
    last: str | None = None
    first_fast = last_fast = -1  # offsets of lines accepted unparsed; ids read at the end
    total = len(block)
    kept = pos = run_start = 0  # offsets in block: current line, start of current good run
    while pos < total:
        end = find(b"\n", pos)
        if end < 0:
            end = total  # a final line without newline
        if fast and startswith(LENS_PREFIX, pos, end) and block[end - 1] == CLOSE_BRACE:
            if first_fast < 0:
                first_fast = pos
            last_fast = pos
            kept += 1
            pos = end + 1
            continue
        line = block[pos:end]
        record, reason = judge(line)
        if record is not None:
            lens_id = record["lens_id"]
            if first is None and first_fast < 0:
                first = lens_id
            last, last_fast = lens_id, -1
            if keep is None or keep(record):
                kept += 1
                pos = end + 1
                continue
        if pos > run_start:
            segments.append(block[run_start:pos])
        segments.append(Removed(line, min(end + 1, total) - pos, reason))
        pos = end + 1
        run_start = pos
    if first is None and first_fast >= 0:
        first = lens_id_of(_line_at(block, first_fast))
    if last_fast >= 0:
        last = lens_id_of(_line_at(block, last_fast))
    if run_start == 0:
        return [block], kept, first, last
    if run_start < total:
        segments.append(block[run_start:])
    return segments, kept, first, last


def lens_id_of(line: bytes) -> str | None:
    """lens_id of one raw line, or None if it has none (cheap enough for a few lines)."""
    record, _ = judge(line)
    return record["lens_id"] if record is not None else None


def _line_at(data: bytes, start: int) -> bytes:
    end = data.find(b"\n", start)
    return data[start:] if end < 0 else data[start:end]


def first_line(data: bytes) -> bytes:
    end = data.find(b"\n")
    return data if end < 0 else data[:end]


def last_line(data: bytes) -> bytes:
    end = len(data) - 1 if data.endswith(b"\n") else len(data)
    return data[data.rfind(b"\n", 0, end) + 1 : end]

"""The fast reading of common date shapes agrees with the general grammar, value for value."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mirror.dates import _millis, _parse, to_millis


def general(text: str) -> int:
    """What the grammar every query uses makes of a stored date (no fast path)."""
    return _millis(_parse(text)[0])


def outcome(read: Callable[[str], int], text: str) -> int | str:
    try:
        return read(text)
    except (ValueError, OverflowError) as exc:
        return type(exc).__name__


def two(low: int = 0, high: int = 99) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: f"{n:02d}")


# Digits out of range on purpose (month 13, day 31 in February, hour 24, zone +05:60):
# both readings must refuse, or agree.
common_shapes = st.builds(
    lambda y, mo, d, clock, frac, zone: f"{y:04d}-{mo}-{d}" + (f"T{clock}{frac}{zone}" if clock else ""),
    st.integers(0, 9999), two(0, 13), two(0, 32),
    st.one_of(st.just(""), st.builds(lambda h, m, s: f"{h}:{m}:{s}", two(0, 25), two(0, 61), two(0, 61))),
    st.one_of(st.just(""), st.builds(lambda n, k: f".{n:06d}"[:k + 1], st.integers(0, 999999), st.integers(1, 6))),
    st.one_of(st.just(""), st.just("Z"), st.builds(lambda sign, h, m: f"{sign}{h}:{m}", st.sampled_from("+-"),
                                                   two(0, 25), two(0, 61))),
)


@given(common_shapes)
def test_the_fast_path_reads_common_shapes_as_the_grammar_does(text: str) -> None:
    to_millis.cache_clear()
    assert outcome(to_millis, text) == outcome(general, text)


@pytest.mark.parametrize("text", [
    "2018-05-12T13:50:57.213000+00:00", "2019-01-05T10:11:12Z", "2019-01-05T10:11:12.5-05:30", "2019-01-05",
    "2020", "2020-02", "2019-01-05 10:11:12", " 2019-01-05 ", "2019-01-05T10:11:12.1234567Z",
])
def test_stored_dates_keep_their_meaning(text: str) -> None:
    assert to_millis(text) == general(text)


def test_days_that_do_not_exist_are_refused() -> None:
    for text in ("2021-02-29", "2019-13-01", "2019-01-05T24:00:00Z"):
        with pytest.raises(ValueError):
            to_millis(text)


def test_a_date_without_a_zone_is_utc_whatever_the_machine_s_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/St_Johns")  # -03:30: any local reading would show
    time.tzset()
    try:
        to_millis.cache_clear()
        assert to_millis("1970-01-02") == 86_400_000
        assert to_millis("1970-01-01T00:00:01.5") == general("1970-01-01T00:00:01.5") == 1_500
    finally:
        monkeypatch.undo()
        time.tzset()
        to_millis.cache_clear()

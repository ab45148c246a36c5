"""Building blocks for people in records: author names and initials, ORCID iDs, affiliations."""

from __future__ import annotations

from functools import lru_cache

from mirror.sample.ids import check_char
from mirror.sample.text import Rand, zipf_expand
from mirror.sample.vocab_people import DEPARTMENTS, FIRST_NAMES, INSTITUTIONS

_MIDDLE = "ABCDEFGHJKLMNPRSTW"


def first_name(rnd: Rand, base: str | None = None) -> tuple[str, str]:
    """(first name, initials): sometimes with a middle initial ("Dana E.", "DE") as
    bibliographic data has."""
    name = base or FIRST_NAMES[int(rnd() * len(FIRST_NAMES))]
    ini = _initials_of(name)
    if rnd() < 0.35:
        middle = _MIDDLE[int(rnd() * len(_MIDDLE))]
        return f"{name} {middle}.", ini + middle
    return name, ini


@lru_cache(maxsize=4096)
def _initials_of(name: str) -> str:
    return initials(name)


def initials(first: str) -> str:
    """"Dana E." -> "DE"; "Min-jun" -> "M"."""
    return "".join(part[0] for part in first.replace(".", " ").split() if part[0].isalpha()).upper()


def orcid(rnd: Rand) -> str:
    """A well-formed ORCID iD (ISO 7064 MOD 11-2 check character, like Lens IDs)."""
    digits = "0000000" + str(1 + int(rnd() * 3)) + str(int(rnd() * 10**7)).zfill(7)
    d = digits + check_char(digits)
    return f"{d[0:4]}-{d[4:8]}-{d[8:12]}-{d[12:16]}"


@lru_cache(maxsize=1)
def institution_table() -> tuple[int, ...]:
    """Institution numbers Zipf-weighted (Harvard University first), as a draw table."""
    return tuple(int(n) for n in zipf_expand(tuple(str(n) for n in range(len(INSTITUTIONS))), 0.6, 6))


@lru_cache(maxsize=64)
def _institution(n: int) -> tuple[str, str, str, str, tuple[tuple[str, str], ...], str, str]:
    """(name, grid, country, city, ids, city without commas, city line) of institution n."""
    name, grid, ror, magid, country, city, fundref, wikidata, isni = INSTITUTIONS[n]
    ids = [("magid", magid), ("grid", grid)]
    ids += [(t, v) for t, v in (("isni", isni), ("fundref", fundref), ("wikidata", wikidata)) if v]
    ids.append(("ror", ror))
    return name, grid, country, city, tuple(ids), city.replace(",", ""), f"{name}, {city}."


def affiliation(n: int, rnd: Rand, matched: bool = True) -> dict[str, object]:
    """An author affiliation as Lens returns it: the normalised institution plus the
    affiliation string as printed on the paper, and its identifiers."""
    name, grid, country, city, ids, city_plain, plain = _institution(n)
    style = rnd()
    if style < 0.5:
        original = f"{DEPARTMENTS[int(rnd() * len(DEPARTMENTS))]}, {name}, {city}"
    elif style < 0.8:
        original = plain
    else:
        original = f"{DEPARTMENTS[int(rnd() * len(DEPARTMENTS))]} {name} {city_plain}"
    if not matched:  # an affiliation string Lens could not resolve to an institution
        return {"name": name, "name_original": original}
    return {"name": name, "name_original": original, "ids": [{"type": t, "value": v} for t, v in ids],
            "grid_id": grid, "country_code": country}

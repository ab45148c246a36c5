"""Record paths compiled into straight-line Python: the indexer's hot loop.

A :class:`~mirror.catalogue.paths.PathReader` reads every path a catalogue names in
one walk of a record. Walking a trie of steps with a generic loop took about half of
the transform's time (a loop over the trie's branches, a loop over the nodes for
each of them, and the checks of what each branch is), so the trie is turned once
into Python source instead: the record's own keys are read straight into lists; at
each deeper object level, one loop over the objects fetches every key some path
names there; a list is flattened only when it holds nulls or lists; the filtered
steps of one key partition its objects in one pass.

What a path reads stays what :func:`~mirror.catalogue.paths.values_at` reads (lists
flattened at every step, nulls dropped, objects included); the tests compare the
two with a naive recursive reader, over damaged records too.

The source only ever holds names made here and ``repr`` of the catalogue's path
keys and filter values, which :func:`~mirror.catalogue.paths.parse_path` has
restricted to ``[A-Za-z0-9_]`` (keys) and anything but ``]`` (values).
"""

from __future__ import annotations

import itertools
import linecache
from dataclasses import dataclass, field
from typing import Any, Callable


def flatten(value: Any, out: list[Any]) -> None:
    """Appends ``value``'s leaves to ``out``: lists flattened, nulls dropped."""
    if type(value) is list:
        for item in value:
            if type(item) is list:
                flatten(item, out)
            elif item is not None:
                out.append(item)
    elif value is not None:
        out.append(value)


def flat(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    flatten(values, out)
    return out


@dataclass
class Node:
    """One step of the trie: what it reads, and the record path that ends here (if any)."""

    key: str
    filter_key: str | None
    filter_value: str | None
    path: str | None = None
    children: dict[tuple[str, str | None, str | None], Node] = field(default_factory=dict)
    var: str = ""  # the generated code's name for the objects/values this step reads


def trie(steps_by_path: dict[str, tuple[tuple[str, str | None, str | None], ...]]) -> dict[Any, Node]:
    root: dict[tuple[str, str | None, str | None], Node] = {}
    for path in sorted(steps_by_path):
        level = root
        steps = steps_by_path[path]
        for i, step in enumerate(steps):
            node = level.setdefault(step, Node(*step))
            if i == len(steps) - 1:
                node.path = path
            level = node.children
    return root


class Source:
    """Python source being written, with fresh local names."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names = 0

    def line(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def fresh(self, prefix: str) -> str:
        self.names += 1
        return f"{prefix}{self.names}"


def walk_source(steps_by_path: dict[str, tuple[tuple[str, str | None, str | None], ...]], root: str,
                src: Source, depth: int) -> dict[str, str]:
    """Writes the code that reads every path from the value named ``root`` (a record).

    Returns, per path, the local name that holds its values after the code ran: a
    non-empty list, or an empty sequence when the record has none there.
    """
    top = trie(steps_by_path)
    nodes: list[Node] = []

    def name(level: dict[Any, Node]) -> None:
        for node in level.values():
            node.var = src.fresh("v")
            nodes.append(node)
            name(node.children)

    name(top)
    keys = _keys(top, src)
    if not keys:
        return {}
    src.line(depth, " = ".join([*(n.var for n in nodes if n.path), *keys.values()]) + " = ()")
    # A record is one object: its keys are read straight into their lists, without the
    # loop over objects the deeper levels need.
    src.line(depth, f"if type({root}) is dict:")
    for key, var in keys.items():
        src.line(depth + 1, f"_c = {root}.get({key!r})")
        src.line(depth + 1, "if _c is not None:")
        src.line(depth + 2, f"if type(_c) is list: {var} = _flat(_c) if None in _c or list in map(type, _c) else _c[:]")
        src.line(depth + 2, f"else: {var} = [_c]")
    src.line(depth, "else:  # a list of records, or not a record: read as values_at does")
    _gather(keys, f"_flat([{root}])", src, depth + 1)
    _below(top, keys, src, depth)
    return {n.path: n.var for n in nodes if n.path}


def _keys(level: dict[Any, Node], src: Source) -> dict[str, str]:
    """Per key read at this level, the name of everything under it, unfiltered."""
    keys: dict[str, str] = {}
    for node in level.values():
        if node.key not in keys:
            unfiltered = level.get((node.key, None, None))
            keys[node.key] = unfiltered.var if unfiltered else src.fresh("k")
    return keys


def _gather(keys: dict[str, str], parents: str, src: Source, depth: int) -> None:
    """Collects each key's values from the objects in ``parents``, in one loop over them."""
    src.line(depth, "; ".join(f"{var} = []" for var in keys.values()))
    src.line(depth, f"for _n in {parents}:")
    src.line(depth + 1, "if type(_n) is dict:")
    for key, var in keys.items():
        src.line(depth + 2, f"_c = _n.get({key!r})")
        src.line(depth + 2, "if _c is not None:")
        src.line(depth + 3, "if type(_c) is list:")
        # nulls or nested lists in a list (rare): flattened as every path step does
        src.line(depth + 4, f"{var} += _flat(_c) if None in _c or list in map(type, _c) else _c")
        src.line(depth + 3, f"else: {var}.append(_c)")


def _below(level: dict[Any, Node], keys: dict[str, str], src: Source, depth: int) -> None:
    """The filtered steps and the deeper levels under each key of ``level``, once gathered."""
    for key, var in keys.items():
        group = [n for n in level.values() if n.key == key]
        if not any(n.children or n.filter_key is not None for n in group):
            continue
        src.line(depth, f"if {var}:")
        _filters(group, var, src, depth + 1)
        for node in group:
            if node.children:
                inner = depth + 1
                if node.var != var:  # a filtered step: its own objects may be none
                    src.line(inner, f"if {node.var}:")
                    inner += 1
                child_keys = _keys(node.children, src)
                _gather(child_keys, node.var, src, inner)
                _below(node.children, child_keys, src, inner)


def _filters(group: list[Node], found: str, src: Source, depth: int) -> None:
    """Splits ``found`` among the filtered steps of one key, one pass per filter key."""
    by_filter: dict[str, list[Node]] = {}
    for node in group:
        if node.filter_key is not None:
            by_filter.setdefault(node.filter_key, []).append(node)
    for fkey, nodes in by_filter.items():
        src.line(depth, "; ".join(f"{n.var} = []" for n in nodes))
        src.line(depth, f"for _c in {found}:")
        src.line(depth + 1, f"if type(_c) is dict and {fkey!r} in _c:")
        valued = [n for n in nodes if n.filter_value is not None]
        for n in nodes:
            if n.filter_value is None:  # ``key[fkey]``: the objects that have fkey
                src.line(depth + 2, f"{n.var}.append(_c)")
        if valued:
            src.line(depth + 2, f"_f = _c[{fkey!r}]")
            src.line(depth + 2, "if type(_f) is not str: _f = str(_f)")
            for i, n in enumerate(valued):
                src.line(depth + 2, f"{'if' if i == 0 else 'elif'} _f == {n.filter_value!r}: {n.var}.append(_c)")


_built = itertools.count()


def build(source: Source, function: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    """The function ``function`` defined by ``source``, its globals ``namespace``.

    The source is registered with ``linecache`` under a name of its own, so that a
    traceback through it shows the generated lines (``function.source`` holds them too).
    """
    text = "\n".join(source.lines) + "\n"
    filename = f"<compiled {function} #{next(_built)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
    namespace = {"_flat": flat, **namespace}
    exec(compile(text, filename, "exec"), namespace)  # noqa: S102
    made: Callable[..., Any] = namespace[function]
    made.source = text  # type: ignore[attr-defined]
    return made


def reader(steps_by_path: dict[str, tuple[tuple[str, str | None, str | None], ...]]) -> Callable[[Any], dict]:
    """A function: record → {path: its values} for the paths that have values."""
    src = Source()
    src.line(0, "def read(record):")
    found = walk_source(steps_by_path, "record", src, 1)
    src.line(1, "out = {}")
    for path, var in found.items():
        src.line(1, f"if {var}: out[{path!r}] = {var}")
    src.line(1, "return out")
    return build(src, "read", {})

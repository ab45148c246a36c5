"""``_source`` filtering: include/exclude response paths, as Elasticsearch applies them.

A path selects a field and everything below it (``biblio.invention_title`` keeps
``text`` and ``lang``); a deeper path keeps only that part of a list of objects
(``authors.first_name``). ``*`` matches within one path segment.
"""

from __future__ import annotations

import fnmatch
from functools import lru_cache
from typing import Any


def _matches(path: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(path, pattern) if "*" in pattern else path == pattern


def _covered(path: str, patterns: list[str]) -> bool:
    """Is ``path`` or one of its ancestors named by a pattern?"""
    parts = path.split(".")
    return any(_matches(".".join(parts[: i + 1]), p) for p in patterns for i in range(len(parts)))


def _leads_to(path: str, patterns: list[str]) -> bool:
    """Could a pattern name something below ``path``?"""
    prefix = path + "."
    return any(
        p.startswith(prefix) or ("*" in p and fnmatch.fnmatchcase(prefix, p.split(".")[0] + "*")) for p in patterns
    )


def _filter(node: Any, path: str, includes: list[str], excludes: list[str]) -> Any:
    if isinstance(node, list):
        kept = [_filter(item, path, includes, excludes) for item in node]
        return [k for k in kept if k is not _DROP]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        child = f"{path}.{key}" if path else key
        if excludes and _covered(child, excludes):
            continue
        if not includes or _covered(child, includes):
            result = _filter(value, child, [], excludes)
        elif _leads_to(child, includes) and isinstance(value, (dict, list)):
            result = _filter(value, child, includes, excludes)
            if result in ({}, []):
                continue
        else:
            continue
        if result is not _DROP:
            out[key] = result
    return out


_DROP = object()


def project(record: dict[str, Any], includes: list[str] | None, excludes: list[str] | None) -> dict[str, Any]:
    """The record with only the included paths, less the excluded ones."""
    if not includes and not excludes:
        return record
    if includes and not excludes and not any("*" in p for p in includes):
        # the common export shape (include: [lens_id, title]): walk only what is named
        return included(record, include_tree(tuple(includes)))
    return _filter(record, "", list(includes or []), list(excludes or []))


# -- include paths without wildcards, as a tree: the same answers as _filter, without the
# per-key pattern matching (an export of 100,000 records spent most of its time there)

WHOLE: dict[str, Any] = {}  # marks "this field and everything below it"


@lru_cache(maxsize=256)
def include_tree(includes: tuple[str, ...]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in includes:
        node, parts = tree, path.split(".")
        for i, part in enumerate(parts):
            if i == len(parts) - 1:
                node[part] = WHOLE
            elif node.get(part) is WHOLE:
                break  # an ancestor is included whole already
            else:
                node = node.setdefault(part, {})
    return tree


def included(node: Any, tree: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [included(item, tree) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        sub = tree.get(key)
        if sub is None:
            continue
        if sub is WHOLE:
            out[key] = value
        elif isinstance(value, (dict, list)):
            result = included(value, sub)
            if result not in ({}, []):
                out[key] = result
    return out

"""JSON for the engine clients: orjson, and search hits' records passed through unparsed.

A search answer is mostly whole records (20 scholarly records are ~110 kB of
JSON). Both clients parse answers with the ``json`` module by default, and the
API then serialised the same records again: together most of the time a search
spent in the API rather than in the engine. Here every answer is parsed by
orjson, except the ``_source`` of each hit of a search answer
(``hits.hits[*]._source``): msgspec checks it and hands over its bytes, which
stay JSON text (an :class:`orjson.Fragment`, as the embedded backend's stored
records are) and are written into the Lens response as they are. The rest of
the answer (totals, scores, sort values, cursors, any key a later engine adds)
is parsed as usual, so nothing is dropped. On a 110 kB answer: 0.4 ms where
``orjson.loads`` + ``orjson.dumps`` took 1.4 ms and ``json.loads`` alone 2.2 ms.
"""

from __future__ import annotations

from typing import Any

import msgspec
import orjson

_OBJECT = msgspec.json.Decoder(dict[str, msgspec.Raw])
_OBJECTS = msgspec.json.Decoder(list[dict[str, msgspec.Raw]])


def loads(data: str | bytes) -> Any:
    """The engine's answer as Python values, each search hit's ``_source`` left as JSON text."""
    try:
        top = _OBJECT.decode(data)
    except msgspec.MsgspecError:  # not an object (a _cat list), or not JSON: orjson says which
        return orjson.loads(data)
    answer: dict[str, Any] = {}
    for key, raw in top.items():
        answer[key] = _hits(raw) if key == "hits" else orjson.loads(bytes(raw))
    return answer


def _hits(raw: msgspec.Raw) -> Any:
    try:
        section = _OBJECT.decode(raw)
        hits = _OBJECTS.decode(section["hits"]) if "hits" in section else None
    except msgspec.MsgspecError:  # some other "hits" than a search answer's
        return orjson.loads(bytes(raw))
    out: dict[str, Any] = {key: orjson.loads(bytes(value)) for key, value in section.items() if key != "hits"}
    if hits is not None:
        out["hits"] = [{key: orjson.Fragment(bytes(value)) if key == "_source" else orjson.loads(bytes(value))
                        for key, value in hit.items()} for hit in hits]
    return out


def opensearch_serializer() -> Any:
    """An ``opensearch-py`` serializer (``OpenSearch(serializer=...)``): orjson, and :func:`loads`."""
    from opensearchpy.exceptions import SerializationError
    from opensearchpy.serializer import JSONSerializer

    class OrjsonSerializer(JSONSerializer):
        def loads(self, s: Any) -> Any:
            try:
                return loads(s)
            except orjson.JSONDecodeError as exc:
                raise SerializationError(s, exc) from None

        def dumps(self, data: Any) -> Any:
            if isinstance(data, (str, bytes)):
                return data  # ready bodies (_bulk's NDJSON) as they are
            try:
                return orjson.dumps(data, default=self.default)
            except TypeError as exc:
                raise SerializationError(data, exc) from None

    return OrjsonSerializer()


def elasticsearch_serializers() -> dict[str, Any]:
    """``Elasticsearch(serializers=...)``: the client's own orjson serializer reading answers with
    :func:`loads`, for plain JSON and for the compatibility-mode JSON an 8.x server answers with."""
    from elasticsearch.serializer import OrjsonSerializer

    class PassThrough(OrjsonSerializer):
        def json_loads(self, data: bytes) -> Any:
            return loads(data)

    serializer = PassThrough()
    return {"application/json": serializer, "application/vnd.elasticsearch+json": serializer}


__all__ = ["elasticsearch_serializers", "loads", "opensearch_serializer"]

"""Resolving Lens search names to index fields, with the request's options applied."""

from __future__ import annotations

from dataclasses import dataclass

from mirror.catalogue import Catalogue, Kind, Resolved, UnknownField
from mirror.errors import BadRequest


@dataclass(frozen=True)
class Names:
    """Name resolution for one request: the catalogue plus ``stemming``."""

    catalogue: Catalogue
    stemming: bool = True

    def resolve(self, name: str) -> Resolved:
        try:
            resolved = self.catalogue.resolve(name.strip())
        except UnknownField as exc:
            raise BadRequest(f"{exc} in {self.catalogue.product} search") from None
        if resolved.kind is Kind.TEXT and not self.stemming and not resolved.variant:
            return Resolved(resolved.field, "unstemmed")
        return resolved

    def index_name(self, name: str) -> str:
        return self.resolve(name).index_name

    def default_fields(self) -> list[Resolved]:
        return [self.resolve(n) for n in self.catalogue.default_fields]

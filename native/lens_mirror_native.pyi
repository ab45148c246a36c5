"""lens-mirror's record transform in native code (see mirror/catalogue/native.py)."""

class Transform:
    """The search-document transform of one catalogue, from its spec (``transform_spec``)."""

    def __init__(self, spec: str) -> None: ...
    def document(self, line: bytes) -> tuple[str, bytes] | None:
        """``(lens_id, search document as JSON)``, or None: the Python transform must say."""

def float_repr(x: float) -> str:
    """``repr(x)`` as the transform writes it."""

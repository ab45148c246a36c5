"""lens-mirror: an offline, local mirror of the Lens.org search API."""

__version__ = "0.1.0"

PRODUCTS = ("scholarly", "patent")

"""Consuming the Lens bulk data service: release metadata, resumable verified
downloads, and the local record of which release versions got how far.

Modules: ``client`` (HTTP), ``transfer`` (resumable hashed byte stream shared by
file download and streamed sync), ``download`` (to disk), ``state`` (per-product
progress), ``errors`` (the typed failures the CLI reports in one line).
"""

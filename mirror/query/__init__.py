"""The query pipeline: request model → parse → resolve names → Elasticsearch body.

Every function here is pure: plain data in, plain data out. The backends execute
the body; the API shapes their answer into a Lens response.
"""

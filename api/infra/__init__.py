"""Infrastructure: one module per outside resource the edges and services use.

settings (environment, composition root) · layout (every file name of a data directory) · postgres (the
PostgreSQL event store) · keys (seal-signing keys) · evidence (the evidence file store) · passwords
(argon2 hashes, one-time passwords, bearer tokens, the session secret) · backup (SQLite online backup, restore).
"""

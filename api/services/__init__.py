"""The use-cases both edges call: the command line (`api/cli/`) and the web application (`api/web/`).

Each function takes a `Context` (ledger, read model, evidence and key stores, settings) and the acting user,
checks who may do what, turns a request into interchange lines, and returns typed values or raises a
`Refused` with a kind. Nothing here knows HTTP or click: the web maps kinds to statuses
(`api/web/refusals.py`), the command line to exit codes and messages (`api/cli/refusals.py`).

context (Context, Actor, the command-line user) · refusals (Refused and its kinds) · access (who may read,
write, audit, administer) · writes (one line, a JSON Lines file, a workbook) · reads (activities, history,
reports, explanations, listings, deadlines, trends) · audit (seal, verify, proof, diff, the audit trail) ·
users (sign-in, passwords, tokens, access) · attachments (evidence files) · narratives (report text) ·
rectification (整改 issues to sign-off, reminders, rates) · assessment (考核 indicator systems and score sheets).
"""

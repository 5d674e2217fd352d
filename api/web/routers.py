"""Every router of the web application, in the order a request is matched against them: the JSON API by
resource (`routes_*.py`, each route's full path in its decorator), then the pages by URL family (`page_*.py`).

Order matters only within a family where a fixed segment and a parameter meet (`/api/figures/preview` before
`/api/figures/{code}`, `/api/issues/reminders/{unit}` before `/api/issues/{issuer}/{ref}`): each module lists
such routes fixed-first. Every JSON path starts with /api and no page path does, so the two lists never
compete. Pages stay out of the OpenAPI document."""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    page_access_log,
    page_activity,
    page_assessment,
    page_audit,
    page_dashboard,
    page_entry,
    page_figures,
    page_filing,
    page_import,
    page_ledger,
    page_packages,
    page_personal,
    page_policy,
    page_rectification,
    page_reminders,
    page_report,
    page_signin,
    page_tokens,
    page_two_factor,
    page_units,
    page_users,
    routes_activities,
    routes_assessment,
    routes_audit,
    routes_figures,
    routes_filing,
    routes_personal,
    routes_records,
    routes_rectification,
    routes_reports,
    routes_session,
    routes_units,
    routes_users,
)

API: list[APIRouter] = [
    routes_session.router,  # /api/session, /api/me…
    routes_records.router,  # POST /api/units, /api/records, /api/steps, /api/corrections, /api/voids, /api/import
    routes_units.router,  # GET /api/units
    routes_activities.router,  # /api/activity, /api/history, /api/activities
    routes_reports.router,  # /api/reports…, /api/deadlines…
    routes_audit.router,  # /api/seals, /api/verify…
    routes_users.router,  # /api/users…
    routes_figures.router,  # /api/figures…
    routes_filing.router,  # /api/filings…, /api/progress…, /api/filings-due
    routes_rectification.router,  # /api/issues…
    routes_assessment.router,  # /api/assessment…
    routes_personal.router,  # /api/personal…
    page_packages.api,  # /api/packages…, /api/seals/{seal_id}/package (with its page)
    page_reminders.api,  # /api/reminders (with its page)
]

PAGES: list[APIRouter] = [
    page_filing.router,  # /filing, /progress
    page_rectification.router,  # /issues…
    page_assessment.router,  # /assessment…
    page_packages.router,  # /packages…
    page_reminders.router,  # /reminders
    page_entry.router,  # /entry…
    page_activity.router,  # /activity…, /evidence
    page_personal.router,  # /personal… (a petition's personal data: the unit's recorders and admins)
    page_ledger.router,  # /ledger
    page_report.router,  # /report…
    page_audit.router,  # /audit…
    page_users.router,  # /users…
    page_import.router,  # /import…
    page_tokens.router,  # /tokens…
    page_figures.router,  # /figures…
    page_units.router,  # /units…, /setup
    page_access_log.router,  # /access-log… (audit administrators)
    page_two_factor.router,  # /two-factor (each user's own second factor)
    page_policy.router,  # /policy (the sign-in policy: security administrators)
    page_signin.router,  # /login, /logout, /password
    page_dashboard.router,  # /
]

ROUTERS: list[tuple[APIRouter, bool]] = [(r, True) for r in API] + [(r, False) for r in PAGES]

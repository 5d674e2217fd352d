"""Sending one e-mail through the configured SMTP server (Settings.smtp_*), standard library only."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from .settings import Settings

TIMEOUT = 20  # seconds: a server that does not answer fails this attempt; the outbox tries again later


def address_of(settings: Settings, username: str, email: str | None = None) -> str | None:
    """The user's own address where one is recorded (domain/user.py), else <username>@TAIZHANG_MAIL_DOMAIN where
    that is set, else none (no mail for this user)."""
    if email:
        return email
    return f"{username}@{settings.mail_domain}" if settings.mail_domain else None


def send(settings: Settings, to: str, subject: str, body: str) -> None:
    """Raises OSError / smtplib.SMTPException when the server is down or refuses the message."""
    if not settings.smtp_host:
        raise OSError("no SMTP server configured (TAIZHANG_SMTP_HOST)")
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(msg)

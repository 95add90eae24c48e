"""The reminder mail of monitoring rounds: plain SMTP, off unless `REESTR_REMINDER_MAIL=true`."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any


@dataclass(frozen=True)
class ReminderMail:
    """Sends one plain-text letter through an SMTP server (the region's relay)."""

    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    starttls: bool = False

    def send(self, recipients: list[str], subject: str, body: str) -> None:
        """Send `body` to `recipients`; an SMTP failure raises (the caller reports it)."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = ", ".join(recipients)
        message["Subject"] = subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=30) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


def reminder_mail_from(settings: Any) -> ReminderMail | None:
    """The sender the settings ask for, or None when reminder mail is off (the default)."""
    if not settings.reminder_mail:
        return None
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return ReminderMail(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.mail_from,
        user=settings.smtp_user,
        password=password,
        starttls=settings.smtp_starttls,
    )

"""Emails the register sends after a write has committed.

They are written in the request (its language, its data) and handed to the mail server by one
background thread per server process, so a slow or unreachable mail server never holds up the
person who acted: their endorsement is already in the register, and the receipt page has it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)

# One sender per process, in order; the interpreter waits for it to finish at exit.
sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail")


def notify(*, template: str, recipients: Iterable[str], context: dict[str, Any], language: str | None = None) -> None:
    """Send `templates/emails/<template>_subject.txt` and `_body.txt` to each recipient, in
    `language` (the active one by default).

    A mail server failure is logged and never raised: the write it reports has already committed.
    """
    to = sorted({address for address in recipients if address})
    if not to:
        return
    context = {**context, "site_url": settings.SITE_URL}
    with translation.override(language or translation.get_language()):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        subject = str(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX) + subject
        body = render_to_string(f"emails/{template}_body.txt", context)
    # One message per recipient: delegates of a state need not see each other's addresses.
    messages = [EmailMessage(subject, body, None, [address]) for address in to]
    if settings.EMAIL_IN_BACKGROUND:
        sender.submit(_send, template, messages)
    else:
        _send(template, messages)


def _send(template: str, messages: list[EmailMessage]) -> None:
    try:
        with get_connection() as connection:  # one connection to the mail server for all of them
            connection.send_messages(messages)
    except Exception:
        logger.exception("Could not send the %s email to %d recipient(s).", template, len(messages))

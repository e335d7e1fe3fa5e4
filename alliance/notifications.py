"""Emails the register sends after a write has committed."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def notify(*, template: str, recipients: Iterable[str], context: dict[str, Any]) -> bool:
    """Send `templates/emails/<template>_subject.txt` and `_body.txt` to each recipient.

    A mail server failure is logged and never raised: the write it reports has already committed.
    Returns whether the mail was handed to the server.
    """
    to = sorted({address for address in recipients if address})
    if not to:
        return False
    context = {**context, "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    body = render_to_string(f"emails/{template}_body.txt", context)
    try:
        # One message per recipient: delegates of a state need not see each other's addresses.
        for address in to:
            send_mail(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, None, [address])
    except Exception:
        logger.exception("Could not send the %s email to %d recipient(s).", template, len(to))
        return False
    return True

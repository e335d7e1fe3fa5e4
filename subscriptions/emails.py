"""The emails a subscriber receives, written in their language and sent by the worker."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from alliance.background import message_as_data, send_message
from subscriptions.models import Subscription


def unsubscribe_url(subscription: Subscription) -> str:
    """The absolute one-click unsubscribe link, in the subscriber's language."""
    with translation.override(subscription.language):
        return settings.SITE_URL + reverse("subscriptions:unsubscribe", args=[subscription.token])


def enqueue_email(subscription: Subscription, template: str, **context: Any) -> None:
    """Write `templates/emails/subscription_<template>_subject.txt` and `_body.txt` for the
    subscriber now, and enqueue it in the caller's transaction (a rollback sends nothing).

    Every message carries the unsubscribe link, in its body and as RFC 8058 one-click headers."""
    link = unsubscribe_url(subscription)
    values = {"subscription": subscription, "site_url": settings.SITE_URL, "unsubscribe_url": link, **context}
    with translation.override(subscription.language):
        values["target"] = subscription.target_name()
        subject = " ".join(render_to_string(f"emails/subscription_{template}_subject.txt", values).split())
        subject = str(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX) + subject
        body = render_to_string(f"emails/subscription_{template}_body.txt", values)
    headers = {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    message = EmailMessage(subject, body, None, [subscription.email], headers=headers)
    send_message.enqueue(message_as_data(message))

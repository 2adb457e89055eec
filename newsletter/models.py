"""Newsletter subscribers and per-recipient deliveries.

An address is personal data: it is stored encrypted (privacy.crypto), and found again by a
keyed hash of the program and the address. Confirmation and unsubscribe links carry random
tokens; we keep only their keyed hashes (and the unsubscribe token encrypted, to put it in
every issue). Unsubscribing deletes the subscriber; their past deliveries keep no link.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.crypto import EncryptedTextField


class Subscriber(models.Model):
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="newsletter_subscribers"
    )
    email = EncryptedTextField(_("email address"))
    email_digest = models.CharField(max_length=64, editable=False)
    confirm_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    confirm_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribe_token = EncryptedTextField(editable=False)
    unsubscribe_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Refused by the mail server this many times in a row; paused at PAUSE_AFTER_FAILURES.
    failures = models.PositiveSmallIntegerField(default=0, editable=False)
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)

    PAUSE_AFTER_FAILURES = 3

    class Meta:
        verbose_name = _("newsletter subscriber")
        verbose_name_plural = _("newsletter subscribers")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "email_digest"], name="newsletter_one_address_per_program"
            )
        ]

    def __str__(self) -> str:
        return f"subscriber {self.pk}"  # never the address

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class Delivery(models.Model):
    """One issue to one subscriber, sent at most once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (unsubscribed before sending)")

    issue = models.ForeignKey(
        "cms.NewsletterIssuePage", on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.SET_NULL, null=True, related_name="deliveries"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("newsletter delivery")
        verbose_name_plural = _("newsletter deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="newsletter_one_delivery_per_subscriber"
            )
        ]
        indexes = [models.Index(fields=["issue", "status"])]


class ScheduledSend(models.Model):
    """An issue to be sent at a set time, by `send_scheduled_newsletters` (run every few
    minutes); sending then is the same as pressing "Send to subscribers"."""

    issue = models.OneToOneField(
        "cms.NewsletterIssuePage", on_delete=models.CASCADE, related_name="scheduled_send"
    )
    send_at = models.DateTimeField(_("send at"))
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # What happened when its time came: empty while waiting, else the outcome in words.
    outcome = models.CharField(max_length=200, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled newsletter send")
        verbose_name_plural = _("scheduled newsletter sends")
        indexes = [models.Index(fields=["done_at", "send_at"])]

import re
import secrets

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cms.models import NewsletterIssuePage
from newsletter import services
from newsletter.models import Subscriber


def issue_of(program) -> NewsletterIssuePage:
    """The welcome issue every program's newsletter section starts with."""
    return NewsletterIssuePage.objects.descendant_of(program.landing_page).get(slug="welcome")


def form_token(response) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)


def subscribe(client, program, email):
    url = reverse("newsletter:subscribe", args=[program.slug])
    page = client.get(url)
    return client.post(url, {"email": email, "form_token": form_token(page)})


def link_in(message, name) -> str:
    found = re.search(rf"https?://\S+/newsletter/{name}/[^/\s]+/", message.body)
    assert found, message.body
    return found.group(0)


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def make_confirmed(program, emails) -> list[Subscriber]:
    rows = []
    for email in emails:
        token = secrets.token_urlsafe(16)
        rows.append(
            Subscriber(
                program=program,
                email=email,
                email_digest=services._email_digest(program, email),
                unsubscribe_token=token,
                unsubscribe_digest=services._token_digest(token, "newsletter-unsubscribe"),
                confirmed_at=timezone.now(),
            )
        )
    return Subscriber.objects.bulk_create(rows, batch_size=500)


def recipients() -> list[str]:
    return [address for message in mail.outbox for address in message.to]

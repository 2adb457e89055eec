"""What staff read in the Wagtail admin: real dates in the training ledger, the site's name."""

import re
from datetime import date
from html import unescape

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from programs.models import SupporterProfile, TrainingCompletion

pytestmark = pytest.mark.django_db


def test_the_training_ledger_shows_when_each_record_expires_as_a_date(
    client, coordinator, program, supporter
):
    profile = SupporterProfile.objects.get(user=supporter, program=program)
    completions = list(TrainingCompletion.objects.filter(supporter=profile))
    far, never = completions[0], completions[1]
    TrainingCompletion.objects.filter(pk=far.pk).update(
        completed_on=date(2026, 3, 2), expires_on=date(2029, 3, 2)
    )
    TrainingCompletion.objects.filter(pk=never.pk).update(expires_on=None)
    client.force_login(coordinator)
    page = unescape(client.get(reverse("training:index")).content.decode())
    assert "Just now" not in page
    assert date_format(date(2029, 3, 2), "DATE_FORMAT") in page
    assert date_format(date(2026, 3, 2), "DATE_FORMAT") in page
    assert "Never" in page


def test_the_dashboard_is_titled_with_the_sites_name_not_localhost(client, admin, settings):
    client.force_login(admin)
    page = unescape(client.get(reverse("wagtailadmin_home")).content.decode())
    heading = re.search(r'<h1 class="w-h1[^"]*">(.*?)</h1>', page, re.S).group(1).strip()
    assert heading == "Peer Support Toolkit"
    assert "localhost" not in page


def test_the_sites_name_comes_from_the_setting(settings, db):
    from wagtail.models import Site

    from cms.sections import ensure_home

    Site.objects.update(site_name="")
    settings.WAGTAIL_SITE_NAME = "Northfield Fire & Rescue"
    ensure_home()
    assert Site.objects.get(is_default_site=True).site_name == "Northfield Fire & Rescue"

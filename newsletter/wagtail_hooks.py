from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button

from cms.models import NewsletterIssuePage

from . import admin_views, services


@hooks.register("register_admin_urls")
def register_newsletter_urls():
    return [
        path("newsletter/issues/<int:page_id>/send/", admin_views.send, name="newsletter_send"),
        path(
            "newsletter/issues/<int:page_id>/preview/",
            admin_views.preview,
            name="newsletter_preview",
        ),
        path(
            "newsletter/programs/<int:program_id>/subscribers.csv",
            admin_views.export,
            name="newsletter_export",
        ),
    ]


@hooks.register("register_page_header_buttons")
def newsletter_send_button(page, user, view_name, next_url=None):
    if page.specific_class is not NewsletterIssuePage:
        return
    program_page = page.specific.get_program_page()
    if program_page is None or not services.user_can_see_counts(user, program_page.program):
        return
    yield Button(
        _("Send by email"),
        reverse("newsletter_send", args=[page.pk]),
        icon_name="mail",
        priority=90,
    )

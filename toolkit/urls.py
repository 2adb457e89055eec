from allauth.account import views as allauth_views
from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import event_views
from cms import views as cms_views
from programs.views import auth, invitations, public

# One staff sign-in door. Every other login route redirects to it (see programs.security).
other_login_routes = [
    path("admin/login/", auth.to_sign_in),
    path("_util/login/", auth.to_sign_in),
    path(
        "api-auth/",
        include(
            (
                [
                    path("login/", auth.to_sign_in, name="login"),
                    path("logout/", allauth_views.logout, name="logout"),
                ],
                "rest_framework",
            )
        ),
    ),
]

accounts = [
    path("login/", auth.StaffLoginView.as_view(), name="login"),
    path("login/", auth.StaffLoginView.as_view(), name="account_login"),
    path("logout/", allauth_views.logout, name="logout"),
    path("password/reset/", auth.StaffPasswordResetView.as_view(), name="account_reset_password"),
    # Accounts are made by invitation; email changes go through the admin's confirmed flow.
    path("signup/", RedirectView.as_view(pattern_name="login"), name="account_signup"),
    path("email/", RedirectView.as_view(pattern_name="programs:home"), name="account_email"),
    path("invitation/<str:token>/", invitations.accept, name="invitation_accept"),
    path("", include("allauth.urls")),
]

# Django tries the patterns in turn: the API and the programs' routes (the request page, the
# one a surge of requesters meets) come early (tests/test_url_order.py: no route hides a
# later one).
urlpatterns = [
    path("api/", include("api.urls")),
    *other_login_routes,
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include(accounts)),
    path("", include("programs.urls")),
    path("leave/", public.quick_exit, name="quick_exit"),
    path("p/<slug:slug>/search/", cms_views.search, name="search"),
    path("p/<slug:slug>/events/<int:event_id>/signup/", event_views.signup, name="event_signup"),
    path("p/<slug:slug>/events/<int:event_id>/event.ics", event_views.event_ics, name="event_ics"),
    path("p/<slug:slug>/events.ics", event_views.events_feed, name="events_feed"),
    path("p/<slug:slug>/events/cancel/", event_views.signup_cancel, name="event_cancel"),
    path("caseload/events/", event_views.facilitator_sessions, name="caseload_events"),
    path("coordinate/<slug:slug>/second-factors/", auth.second_factors, name="second_factors"),
    path("", include("newsletter.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns.append(path("", include(wagtail_urls)))

handler404 = "programs.views.errors.not_found"
handler500 = "programs.views.errors.server_error"

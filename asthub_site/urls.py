from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from accounts.oauth import views as oauth_views
from asthub_site.health import healthz
from billing import views as billing_views
from billing.payments.webhooks import stripe_webhook
from jobs import (
    compare_views,
    competition_views,
    hub_views,
    new_job_views,
    publication_views,
    sweep_views,
)
from jobs import views as job_views
from jobs.leaderboard import views as leaderboard_views
from jobs.sharing import views as sharing_views

portal = (
    [
        path("", account_views.dashboard, name="dashboard"),
        path("credentials/", account_views.credentials, name="credentials"),
        path(
            "credentials/<int:credential_id>/remove/",
            account_views.remove_credential,
            name="remove_credential",
        ),
        path("tokens/", account_views.tokens, name="tokens"),
        path("tokens/<int:token_id>/revoke/", account_views.revoke_token, name="revoke_token"),
        path("apps/", account_views.connected_apps, name="connected_apps"),
        path(
            "apps/<int:connection_id>/revoke/",
            account_views.revoke_connected_app,
            name="revoke_connected_app",
        ),
        path("billing/", billing_views.billing_page, name="billing"),
        path("billing/checkout/", billing_views.billing_checkout, name="billing_checkout"),
        path("billing/manage/", billing_views.billing_manage, name="billing_manage"),
        path("jobs/", job_views.job_list, name="jobs"),
        path("jobs/new/", new_job_views.new_job, name="new_job"),
        path("jobs/compare/", compare_views.compare_selected, name="compare_selected"),
        path("catalog/", new_job_views.catalog_page, name="catalog"),
        path("jobs/<int:job_id>/", job_views.job_detail, name="job"),
        path("jobs/<int:job_id>/cancel/", job_views.cancel_job, name="cancel_job"),
        path("jobs/<int:job_id>/rerun/", job_views.rerun_job, name="rerun_job"),
        path("jobs/<int:job_id>/card/", job_views.model_card, name="model_card"),
        path("compare/", compare_views.compare, name="compare"),
        path("sweeps/", sweep_views.sweep_list, name="sweeps"),
        path("sweeps/<int:sweep_id>/", sweep_views.sweep_detail, name="sweep"),
        path("sharing/", sharing_views.sharing, name="sharing"),
        path("jobs/<int:job_id>/leaderboard/", leaderboard_views.set_listing, name="set_listing"),
        path("sharing/<int:share_id>/revoke/", sharing_views.revoke_share, name="revoke_share"),
        path("jobs/<int:job_id>/publish/", publication_views.publish_run, name="publish_run"),
        path("jobs/<int:job_id>/submit/", competition_views.submit_run, name="submit_run"),
        path("publications/", publication_views.publications, name="publications"),
        path("collections/", hub_views.collections, name="collections"),
        path("jobs/<int:job_id>/dashboard/", hub_views.deploy_dashboard, name="deploy_dashboard"),
    ],
    "portal",
)

# Swagger UI (the split view: its start-up script is a file, not inline) injects one
# <style> element of its own; the policy allows exactly that one by its hash, on this page
# only. A new swagger-ui in drf-spectacular-sidecar changes the hash: the browser test of
# the docs page then names the new one.
SWAGGER_UI_STYLE_HASH = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
api_docs = csp_update({"style-src": [SWAGGER_UI_STYLE_HASH]})(
    SpectacularSwaggerSplitView.as_view(url_name="schema")
)

urlpatterns = [
    path("", account_views.home, name="home"),
    path("signup/", account_views.sign_up, name="signup"),
    path("login/", oauth_views.HubLoginView.as_view(), name="login"),
    path("oauth/huggingface/connect/", oauth_views.connect, name="hf_oauth_connect"),
    path("oauth/huggingface/login/", oauth_views.sign_in, name="hf_oauth_login"),
    path("oauth/huggingface/callback/", oauth_views.callback, name="hf_oauth_callback"),
    path("oauth/huggingface/email/", oauth_views.new_account_email, name="hf_oauth_email"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("portal/", include(portal)),
    path("share/<str:token>/", sharing_views.public_share, name="public_share"),
    path("leaderboard/", leaderboard_views.leaderboard_page, name="leaderboard"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Pages without the portal's <link rel="icon"> (the admin, the API docs) ask for this.
    path("favicon.ico", RedirectView.as_view(url=static("asthub/favicon.svg"), permanent=True)),
    path("billing/stripe/webhook/", stripe_webhook, name="stripe_webhook"),
    path("", include("accounts.oauth_server.urls")),
    path("api/v1/", include("asthub_site.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="api-docs"),
]

handler404 = "asthub_site.error_pages.not_found"
handler500 = "asthub_site.error_pages.server_error"

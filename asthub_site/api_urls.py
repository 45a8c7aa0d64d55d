from django.urls import path

from accounts import api as accounts_api
from billing import api as billing_api
from jobs import api as jobs_api
from jobs import catalog_api, competition_api, hub_api, publication_api, report_api
from jobs.leaderboard import api as leaderboard_api
from jobs.log_api import JobLogView
from jobs.sharing import api as sharing_api
from jobs.streams import job_events

urlpatterns = [
    path("me", accounts_api.MeView.as_view(), name="api-me"),
    path("credentials", accounts_api.CredentialListView.as_view(), name="api-credentials"),
    path(
        "credentials/<int:credential_id>",
        accounts_api.CredentialDetailView.as_view(),
        name="api-credential",
    ),
    path("tokens", accounts_api.TokenListView.as_view(), name="api-tokens"),
    path("tokens/<int:token_id>", accounts_api.TokenDetailView.as_view(), name="api-token"),
    path("connected-apps", accounts_api.ConnectedAppListView.as_view(), name="api-apps"),
    path(
        "connected-apps/<int:connection_id>",
        accounts_api.ConnectedAppDetailView.as_view(),
        name="api-app",
    ),
    path("usage", billing_api.UsageView.as_view(), name="api-usage"),
    path("billing/checkout", billing_api.CheckoutView.as_view(), name="api-billing-checkout"),
    path("billing/portal", billing_api.BillingPortalView.as_view(), name="api-billing-portal"),
    path("catalog", catalog_api.CatalogView.as_view(), name="api-catalog"),
    path("jobs/", jobs_api.JobListView.as_view(), name="api-jobs"),
    path("jobs/check", catalog_api.JobCheckView.as_view(), name="api-job-check"),
    path("jobs/<int:job_id>/", jobs_api.JobDetailView.as_view(), name="api-job"),
    path("jobs/<int:job_id>/cancel/", jobs_api.JobCancelView.as_view(), name="api-job-cancel"),
    path("jobs/<int:job_id>/rerun/", jobs_api.JobRerunView.as_view(), name="api-job-rerun"),
    path("jobs/<int:job_id>/metrics/", jobs_api.JobMetricsView.as_view(), name="api-job-metrics"),
    path("jobs/<int:job_id>/events", job_events, name="api-job-events"),
    path("jobs/<int:job_id>/logs", JobLogView.as_view(), name="api-job-logs"),
    path(
        "jobs/<int:job_id>/artifacts/",
        jobs_api.JobArtifactsView.as_view(),
        name="api-job-artifacts",
    ),
    path(
        "jobs/<int:job_id>/artifacts/<path:name>",
        jobs_api.JobArtifactDownloadView.as_view(),
        name="api-job-artifact",
    ),
    path(
        "jobs/<int:job_id>/model-card/",
        report_api.ModelCardView.as_view(),
        name="api-job-model-card",
    ),
    path("compare/", report_api.CompareView.as_view(), name="api-compare"),
    path("sweeps/", jobs_api.SweepListView.as_view(), name="api-sweeps"),
    path("sweeps/<int:sweep_id>/", jobs_api.SweepDetailView.as_view(), name="api-sweep"),
    path("leaderboard", leaderboard_api.LeaderboardView.as_view(), name="api-leaderboard"),
    path(
        "jobs/<int:job_id>/leaderboard/",
        leaderboard_api.JobListingView.as_view(),
        name="api-job-leaderboard",
    ),
    path("shares", sharing_api.ShareListView.as_view(), name="api-shares"),
    path("shares/<int:share_id>", sharing_api.ShareDetailView.as_view(), name="api-share"),
    path("shared/", sharing_api.SharedJobsByHeaderView.as_view(), name="api-shared-bearer"),
    path("shared/<str:token>/", sharing_api.SharedJobsView.as_view(), name="api-shared"),
    path(
        "competitions/submissions/",
        competition_api.SubmissionListView.as_view(),
        name="api-submissions",
    ),
    path(
        "competitions/submissions/<int:submission_id>/",
        competition_api.SubmissionDetailView.as_view(),
        name="api-submission",
    ),
    path("models/sync", publication_api.SyncModelView.as_view(), name="api-models-sync"),
    path("publications/", publication_api.PublicationListView.as_view(), name="api-publications"),
    path(
        "publications/<int:publication_id>/",
        publication_api.PublicationDetailView.as_view(),
        name="api-publication",
    ),
    path(
        "publications/<int:publication_id>/files/<path:name>",
        publication_api.PublicationFileView.as_view(),
        name="api-publication-file",
    ),
    path("collections", hub_api.CollectionView.as_view(), name="api-collections"),
    path("dashboards", hub_api.DashboardView.as_view(), name="api-dashboards"),
]

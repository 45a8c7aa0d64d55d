from django.urls import path

from accounts import api as accounts_api
from billing import api as billing_api

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
    path("usage", billing_api.UsageView.as_view(), name="api-usage"),
]

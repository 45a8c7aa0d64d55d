"""REST endpoints for the signed-in user, their credentials, API tokens and connected apps."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.oauth_server.presenters import present_connection
from accounts.oauth_server.selectors import connections_for
from accounts.oauth_server.services import revoke_connection
from accounts.permissions import RequiresScope, scopes_of
from accounts.serializers import (
    ConnectedAppSerializer,
    CredentialCreateSerializer,
    CredentialSerializer,
    MeSerializer,
    TokenCreatedSerializer,
    TokenCreateSerializer,
    TokenSerializer,
)
from billing.effective_plan import effective_plan


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="Who am I")
    def get(self, request):
        user = request.user
        data = {
            "id": user.pk,
            "email": user.email,
            "plan": effective_plan(user).name,
            "date_joined": user.date_joined,
            "token_scopes": scopes_of(request),
        }
        return Response(MeSerializer(data).data)


class CredentialListView(APIView):
    permission_classes = APIView.permission_classes + [RequiresScope]
    required_scopes = {"GET": "jobs:read", "POST": "jobs:write"}

    @extend_schema(responses=CredentialSerializer(many=True), summary="List credentials")
    def get(self, request):
        credentials = selectors.credentials_for(request.user)
        return Response(CredentialSerializer(credentials, many=True).data)

    @extend_schema(
        request=CredentialCreateSerializer,
        responses={201: CredentialSerializer},
        summary="Add a platform credential",
        examples=[
            OpenApiExample(
                "Kaggle API token", value={"provider": "kaggle", "label": "main", "token": "..."}
            ),
            OpenApiExample(
                "Kaggle username and key",
                value={"provider": "kaggle", "username": "alice", "key": "0123abcd..."},
            ),
            OpenApiExample(
                "Hugging Face token", value={"provider": "huggingface", "token": "hf_..."}
            ),
        ],
    )
    def post(self, request):
        body = CredentialCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        credential = services.add_credential(
            user=request.user, data=services.CredentialInput(**body.validated_data)
        )
        return Response(CredentialSerializer(credential).data, status=status.HTTP_201_CREATED)


class CredentialDetailView(APIView):
    permission_classes = APIView.permission_classes + [RequiresScope]
    required_scopes = {"DELETE": "jobs:write"}

    @extend_schema(responses={204: None}, summary="Remove a credential")
    def delete(self, request, credential_id: int):
        services.remove_credential(user=request.user, credential_id=credential_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListView(APIView):
    @extend_schema(responses=TokenSerializer(many=True), summary="List API tokens")
    def get(self, request):
        return Response(TokenSerializer(selectors.tokens_for(request.user), many=True).data)

    @extend_schema(
        request=TokenCreateSerializer,
        responses={201: TokenCreatedSerializer},
        summary="Create an API token (its value is shown once)",
        examples=[
            OpenApiExample(
                "Read-only token for an assistant",
                value={"name": "claude", "scopes": ["jobs:read"], "expires_at": None},
            )
        ],
    )
    def post(self, request):
        body = TokenCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token, raw = services.create_token(
            user=request.user,
            granting_scopes=scopes_of(request),
            **body.validated_data,
        )
        data = TokenSerializer(token).data | {"token": raw}
        return Response(data, status=status.HTTP_201_CREATED)


class TokenDetailView(APIView):
    @extend_schema(responses={204: None}, summary="Revoke an API token")
    def delete(self, request, token_id: int):
        services.revoke_token(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConnectedAppListView(APIView):
    @extend_schema(
        responses=ConnectedAppSerializer(many=True),
        summary="List connected apps (OAuth clients you allowed on /mcp)",
    )
    def get(self, request):
        connections = [present_connection(c) for c in connections_for(request.user)]
        return Response(ConnectedAppSerializer(connections, many=True).data)


class ConnectedAppDetailView(APIView):
    @extend_schema(responses={204: None}, summary="Disconnect an app (all its tokens end)")
    def delete(self, request, connection_id: int):
        revoke_connection(user=request.user, connection_id=connection_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

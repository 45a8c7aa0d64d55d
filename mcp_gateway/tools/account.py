"""Tools about the user's account: the catalog they can train from, their plan and usage,
and the platforms they have connected."""

from typing import Annotated, Literal

from pydantic import Field

from accounts.selectors import credentials_for
from asthub_spec import Platform
from billing.selectors import usage_for
from jobs.catalog import search_catalog
from jobs.catalog.models import generated_for
from mcp_gateway import schemas
from mcp_gateway.calls import call_as_user
from mcp_gateway.declare import READ, hub_tool


@hub_tool("jobs:read", READ, "Find data sets and models")
async def list_catalog(
    query: Annotated[
        str, Field(max_length=100, description="Text in the name or summary, e.g. resnet.")
    ] = "",
    kind: Literal["dataset", "model"] | None = None,
    platform: Platform | None = None,
    limit: Annotated[int, Field(ge=1, le=200)] = 50,
) -> schemas.CatalogOut:
    """Find the data sets and models start_training and start_sweep accept: built-ins,
    torchvision sets, benchmark names such as imagenet-100, the kaggle:/competition:/hf:
    forms, and every torchvision and timm architecture. Each entry says where each
    platform gets it, what it needs (a GPU, a package, a plan) and why a platform
    cannot run it. Use it before start_training when unsure of a name."""

    def read(user):
        found = search_catalog(kind=kind, platform=platform, query=query)
        return schemas.CatalogOut(
            entries=[schemas.CatalogEntryOut(**entry.as_dict()) for entry in found[:limit]],
            count=len(found),
            generated_for=generated_for(),
        )

    return await call_as_user(read)


@hub_tool("billing:read", READ, "Plan usage")
async def get_usage() -> schemas.UsageOut:
    """The user's plan, its limits, what has been used this month and when it resets,
    artifact storage and the subscription's state. Call before starting work that may
    exceed the plan. When `upgrade_url` is set, give it to the person: upgrading is
    done by them in a browser, never by a tool."""

    return await call_as_user(lambda user: schemas.UsageOut(**usage_for(user).as_dict()))


@hub_tool("jobs:read", READ, "Connected platforms")
async def list_credentials() -> schemas.CredentialList:
    """Which platform accounts (Kaggle, Hugging Face) the user has connected, by label;
    never the secrets. Use before starting a Kaggle or Hugging Face run."""

    def read(user):
        rows = [schemas.CredentialOut.of(credential) for credential in credentials_for(user)]
        return schemas.CredentialList(
            credentials=rows, providers_connected=sorted({row.provider for row in rows})
        )

    return await call_as_user(read)


TOOLS = [list_catalog, get_usage, list_credentials]

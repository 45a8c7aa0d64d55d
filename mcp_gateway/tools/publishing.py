"""Tools that publish models: to the Hub or Kaggle Models, into collections, and as a
live dashboard Space."""

from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field, StrictBool

from asthub_site.ids import MAX_ID
from asthub_spec import Platform
from jobs.events import channel_for
from jobs.platforms.huggingface.collections import create_collection as make_collection
from jobs.publishing.services import publication_for, publications_for
from jobs.publishing.services import sync_model as start_publication
from jobs.sharing.dashboard_space import deploy_dashboard as deploy_space
from mcp_gateway import schemas
from mcp_gateway.calls import call_as_user
from mcp_gateway.declare import PUBLISH, READ, hub_tool
from mcp_gateway.params import WaitSeconds
from mcp_gateway.waiting import wait_until

UNFINISHED = {"pending", "running"}


@hub_tool("models:write", PUBLISH, "Publish a model")
async def sync_model(
    ctx: Context,
    to_platform: Annotated[
        Platform,
        Field(description="huggingface (Hub repo), kaggle (Kaggle Models) or local."),
    ] = "huggingface",
    job_id: Annotated[
        int | None, Field(description="A succeeded run to publish (its weights and card).")
    ] = None,
    from_platform: Annotated[
        Platform | None,
        Field(description="Where the model is, when copying by source_ref, not job_id."),
    ] = None,
    source_ref: Annotated[
        str, Field(description="Hub repo id (alice/model) or Kaggle kernel (owner/slug).")
    ] = "",
    target_ref: Annotated[
        str,
        Field(description="Hub repo id or Kaggle model handle; empty derives one."),
    ] = "",
    private: StrictBool = True,
    wait_seconds: WaitSeconds = 60,
) -> schemas.PublicationOut:
    """Publish a model: a succeeded run's weights, configs, metrics, plots and model card
    (with CO2 and AST metadata) to the Hugging Face Hub or Kaggle Models, or copy a
    model between platforms (from_platform + source_ref). Private unless private=false.
    Returns the publication; status "succeeded" carries the URL and commit/version."""

    def start(user):
        publication = start_publication(
            user=user,
            to_platform=to_platform,
            job_id=job_id,
            from_platform=from_platform,
            source_ref=source_ref,
            target_ref=target_ref,
            private=private,
        )
        return schemas.PublicationOut.of(publication)

    started = await call_as_user(start)
    publication_id = started.publication_id

    async def report(publication: schemas.PublicationOut) -> None:
        await ctx.report_progress(0, None, f"publication {publication.status}")

    publication, _ = await wait_until(
        lambda user: schemas.PublicationOut.of(publication_for(user, publication_id)),
        done=lambda publication: publication.status not in UNFINISHED,
        seconds=wait_seconds if started.status in UNFINISHED else 0,
        channel=channel_for(publication_id, "publication"),
        on_read=report,
        count_first_read=False,
    )
    return publication


@hub_tool("jobs:read", READ, "List publications")
async def list_publications(
    job_id: Annotated[int | None, Field(ge=1, le=MAX_ID, description="Only this run's.")] = None,
    limit: Annotated[int, Field(ge=1, le=100)] = 20,
) -> schemas.PublicationList:
    """Your model publications (newest first) with status, URL and commit."""

    def read(user):
        found = publications_for(user, job_id=job_id)[:limit]
        return schemas.PublicationList(
            publications=[schemas.PublicationOut.of(publication) for publication in found]
        )

    return await call_as_user(read)


@hub_tool("models:write", PUBLISH, "Gather models into a Hub collection")
async def create_collection(
    title: Annotated[str, Field(min_length=1, max_length=60, description="e.g. AST-CIFAR100")],
    job_ids: Annotated[
        list[int] | None, Field(description="Runs already published to the Hub.")
    ] = None,
    repo_ids: Annotated[
        list[str] | None, Field(description="Hub model repos (namespace/name).")
    ] = None,
    description: str = "",
    private: Annotated[
        StrictBool | None,
        Field(
            description="Leave out: private when any model is private (the Hub hides "
            "private items from a public collection's visitors). false: public anyway."
        ),
    ] = None,
) -> schemas.CollectionOut:
    """Gather published runs (by job id) and Hub models (by repo id) into a Hugging Face
    collection in your namespace, e.g. a model zoo "AST-CIFAR100". Reuses a collection
    with the same title; adding a model already there is fine. Runs must have been
    published with sync_model first. The collection is private when any of its models
    is, unless private=false is given."""

    def create(user):
        made = make_collection(
            user=user,
            title=title,
            job_ids=job_ids,
            repo_ids=repo_ids,
            description=description,
            private=private,
        )
        return schemas.CollectionOut(**made.as_dict())

    return await call_as_user(create)


@hub_tool("models:write", PUBLISH, "Deploy a live dashboard Space")
async def deploy_dashboard(
    job_ids: Annotated[list[int], Field(min_length=1, max_length=20)],
    space: Annotated[
        str, Field(description="Space name or namespace/name; default asthub-dashboard.")
    ] = "",
    private: StrictBool = False,
) -> schemas.DashboardOut:
    """Create or update a Gradio Space on Hugging Face that charts these runs live
    (accuracy, activation rate, energy savings), so anyone can watch a Kaggle or HF run.
    The Space reads this hub through a read-only share link for exactly these runs,
    kept as a Space secret; revoke_share_link(share_id) stops it. Public unless
    private=true."""

    def deploy(user):
        deployed = deploy_space(user=user, job_ids=job_ids, space=space, private=private)
        return schemas.DashboardOut(**deployed.as_dict())

    return await call_as_user(deploy)


TOOLS = [sync_model, list_publications, create_collection, deploy_dashboard]

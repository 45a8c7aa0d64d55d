"""Tools that read a run's results: its comparison with a baseline and its model card."""

from typing import Annotated, Literal

from pydantic import Field

from jobs.reports import compare
from jobs.reports import create_model_card as render_card
from mcp_gateway import schemas
from mcp_gateway.calls import call_as_user
from mcp_gateway.declare import READ, START, hub_tool
from mcp_gateway.params import JobId


@hub_tool("jobs:read", READ, "Compare an AST run with its baseline")
async def compare_runs(
    ast_run_id: JobId,
    baseline_run_id: Annotated[
        int | None,
        Field(description="A plain-training run; omit to use the paired one or estimate."),
    ] = None,
) -> schemas.ComparisonOut:
    """Accuracy difference and measured compute, energy, time, cost and CO2 savings of
    an AST run against its baseline (the given run, the paired one, or an estimate from
    the run's own counts, marked estimated), with the table as Markdown and as LaTeX (for
    a paper). Free (reads only)."""

    def read(user):
        comparison = compare(user=user, ast_run_id=ast_run_id, baseline_run_id=baseline_run_id)
        return schemas.ComparisonOut.of(comparison)

    return await call_as_user(read)


@hub_tool("models:write", START, "Create a model card")
async def create_model_card(
    run_id: JobId,
    template: Literal["standard", "competition", "research"] = "standard",
) -> schemas.ModelCardOut:
    """Render a Hugging Face model card (markdown, sustainability badges, plots) for a
    succeeded AST run, with its comparison to the baseline. Does not publish anything;
    free against the plan."""

    def render(user):
        card = render_card(user=user, run_id=run_id, template=template)
        return schemas.ModelCardOut(
            job_id=card.job_id,
            template=card.template,
            markdown=card.markdown,
            badges=list(card.badges),
            plots=[str(plot) for plot in card.plots],
        )

    return await call_as_user(render)


TOOLS = [compare_runs, create_model_card]

"""One spec, four surfaces: REST, MCP, the CLI and the portal accept and refuse exactly the
same specs, because each derives its input from asthub_spec. Asked of the running hub of
the MCP tests, through each surface's own "check" (nothing starts, nothing is spent)."""

import asyncio

import httpx
import pytest

from asthub_client.cli import build_parser
from asthub_spec import JobSpec
from jobs.forms import NewJobForm
from tests.mcp.mcp_client import mcp_session
from tests.mcp.surfaces import Portal, cli_accepts, flat_field_names, mcp_accepts, rest_accepts

pytestmark = pytest.mark.slow

ALL = ("rest", "mcp", "cli", "portal")
JSON_ONLY = ("rest", "mcp")  # a JSON type the form and the command line spell as text

# (what is probed, the spec, accepted?, the surfaces that can say it)
PROBES = [
    ("the defaults", {}, True, ALL),
    ("a torchvision model by name", {"model": "resnet18"}, True, ALL),
    ("a timm-only model by name", {"model": "resnet10t"}, True, ALL),
    ("learning_rate at its floor", {"learning_rate": 1e-8}, True, ALL),
    ("learning_rate below its floor", {"learning_rate": 1e-9}, False, ALL),
    ("learning_rate of zero", {"learning_rate": 0.0}, False, ALL),
    ("learning_rate at its ceiling", {"learning_rate": 10.0}, True, ALL),
    ("learning_rate above its ceiling", {"learning_rate": 10.5}, False, ALL),
    ("epochs at the maximum", {"epochs": 1000}, True, ALL),
    ("epochs over the maximum", {"epochs": 1001}, False, ALL),
    ("epochs of zero", {"epochs": 0}, False, ALL),
    ("batch_size over the maximum", {"batch_size": 65537}, False, ALL),
    ("a negative seed", {"seed": -1}, False, ALL),
    ("image_size below 8", {"image_size": 7}, False, ALL),
    ("image_size at 512", {"image_size": 512}, True, ALL),
    ("random selection", {"ast_config": {"selection": "random"}}, True, ALL),
    ("topk selection", {"ast_config": {"selection": "topk"}}, True, ALL),
    ("an unknown selection", {"ast_config": {"selection": "best"}}, False, ALL),
    ("stale scoring", {"ast_config": {"scoring": "stale"}}, True, ALL),
    (
        "target rate at its floor, with the floor under it",
        {"ast_config": {"target_activation_rate": 0.01, "min_activation": 0.01}},
        True,
        ALL,
    ),
    (
        "target rate under the default floor",
        {"ast_config": {"target_activation_rate": 0.01}},
        False,
        ALL,
    ),
    ("target rate below its floor", {"ast_config": {"target_activation_rate": 0.005}}, False, ALL),
    (
        "min_activation above the target",
        {"ast_config": {"target_activation_rate": 0.2, "min_activation": 0.3}},
        False,
        ALL,
    ),
    ("a negative gain", {"ast_config": {"kp": -1.0}}, False, ALL),
    ("an unknown platform", {"platform": "colab"}, False, ALL),
    ("a name with a question mark", {"name": "why?"}, False, ALL),
    ("upload without a repo", {"auto_upload_hf": True}, False, ALL),
    ("a malformed repo", {"auto_upload_hf": True, "hf_repo": "no slash"}, False, ALL),
    ("an unknown data set", {"dataset": "nope"}, False, ALL),
    ("a near-miss data set", {"dataset": "imagenet100"}, False, ALL),
    ("an unknown model", {"model": "resnet_nope"}, False, ALL),
    ("GPU hardware on local", {"hardware": "t4"}, False, ALL),
    ("a path as data set", {"dataset": "hf:/etc"}, False, ALL),
    ("a relative path", {"dataset": "../secrets"}, False, ALL),
    ("hf: on local without datasets", {"dataset": "hf:clane9/imagenet-100"}, False, ALL),
    (
        "imagenet-100 on Hugging Face GPUs",
        {"dataset": "imagenet-100", "platform": "huggingface", "hardware": "a10g-small"},
        True,
        ALL,
    ),
    ("a download on Kaggle", {"dataset": "cifar10", "platform": "kaggle"}, False, ALL),
    ("an unknown field", {"learning_rte": 0.1}, False, ALL),
    ("an unknown AST field", {"ast_config": {"gain": 1.0}}, False, ALL),
    ("epochs as a string", {"epochs": "5"}, False, JSON_ONLY),
    ("a boolean as a number", {"with_baseline": 1}, False, JSON_ONLY),
    ("a float for an integer", {"epochs": 5.0}, False, JSON_ONLY),
]


def test_every_surface_accepts_and_refuses_the_same_specs(hub):
    token = hub["cast"]["alice"]
    portal = Portal(hub, "alice@example.com")

    async def mcp_answers():
        async with mcp_session(hub["base_url"], token) as session:
            return [await mcp_accepts(session, spec) for _, spec, _, _ in PROBES]

    try:
        mcp = asyncio.run(mcp_answers())
        disagreements = []
        for (label, spec, expected, surfaces), mcp_answer in zip(PROBES, mcp, strict=True):
            answers = {
                "rest": rest_accepts(hub, token, spec),
                "mcp": mcp_answer,
                "cli": cli_accepts(hub, token, spec),
                "portal": portal.accepts(spec),
            }
            for surface in surfaces:
                assert answers[surface] is not None, f"{surface} cannot say {label}"
                accepted, text = answers[surface]
                if accepted != expected:
                    verdict = "accepted" if accepted else "refused"
                    disagreements.append(f"{surface} {verdict} {label} {spec}: {text[:200]}")
    finally:
        portal.close()
    assert not disagreements, "\n".join(disagreements)


def test_every_surface_offers_the_same_fields_choices_and_bounds(hub):
    """The shapes each surface publishes: REST's OpenAPI body, MCP's input schema, the
    portal's form fields and the CLI's options are the one declaration's fields."""
    schema = httpx.get(f"{hub['base_url']}/api/schema/", params={"format": "json"}).json()
    rest = schema["components"]["schemas"]["JobSpec"]
    rest_ast = schema["components"]["schemas"]["AstSettings"]

    async def tools():
        async with mcp_session(hub["base_url"], hub["cast"]["alice"]) as session:
            return {tool.name: tool for tool in (await session.list_tools()).tools}

    mcp = asyncio.run(tools())["start_training"].input_schema
    mcp_ast = mcp["$defs"]["AstSettings"]
    form = NewJobForm().fields
    cli = {
        action.dest: action
        for action in build_parser()._subparsers._group_actions[0].choices["start"]._actions
    }

    declared = JobSpec.model_json_schema()
    assert set(rest["properties"]) == set(mcp["properties"]) == set(declared["properties"])
    assert set(rest_ast["properties"]) == set(mcp_ast["properties"])
    assert set(form) == flat_field_names() <= set(cli)
    for name, declared_field in [
        *declared["properties"].items(),
        *declared["$defs"]["AstSettings"]["properties"].items(),
    ]:
        if name == "ast_config":
            continue
        published = _inlined(
            rest["properties"].get(name) or rest_ast["properties"][name], schema["components"]
        )
        offered = mcp["properties"].get(name) or mcp_ast["properties"][name]
        for key in ("minimum", "maximum", "enum", "maxLength", "pattern", "default"):
            assert published.get(key) == offered.get(key) == declared_field.get(key), (name, key)
        if "minimum" in declared_field:
            assert form[name].min_value == declared_field["minimum"], name
            assert form[name].max_value == declared_field["maximum"], name
        if "enum" in declared_field:
            choices = [value for value, _ in form[name].choices]
            assert choices == declared_field["enum"] == list(cli[name].choices), name


def _inlined(field: dict, components: dict) -> dict:
    """drf-spectacular moves enums into components (allOf: [$ref]); put them back."""
    inlined = dict(field)
    for part in inlined.pop("allOf", []):
        name = part["$ref"].rsplit("/", 1)[-1]
        inlined |= {k: v for k, v in components["schemas"][name].items() if k != "type"}
    return inlined

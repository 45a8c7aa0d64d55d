"""The SDK's tools with two changes: an unknown argument is refused (a misspelt
`learning_rte` must be an error, as on REST, not silently dropped), and a refused argument
reads as REST's refusal does, instead of pydantic's report with its links."""

from typing import Any

from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools.base import Tool
from pydantic import ConfigDict, ValidationError

from asthub_spec.errors import describe


class StrictTool(Tool):
    async def run(self, arguments: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        metadata = self.fn_metadata
        try:
            metadata.arg_model.model_validate(metadata.pre_parse_json(arguments))
        except ValidationError as exc:
            message, _ = describe(exc, known=metadata.arg_model.model_fields)
            raise ToolError(f"Error executing tool {self.name}: {message} [invalid]") from None
        return await super().run(arguments, *args, **kwargs)


def strict(tool: Tool) -> StrictTool:
    """The registered tool, closed to unknown arguments and refusing in plain words."""
    arg_model = tool.fn_metadata.arg_model
    tool.fn_metadata.arg_model = type(
        arg_model.__name__,
        (arg_model,),
        {"model_config": ConfigDict(**{**arg_model.model_config, "extra": "forbid"})},
    )
    fields = dict(tool)
    fields["parameters"] = tool.fn_metadata.arg_model.model_json_schema(by_alias=True)
    return StrictTool.model_construct(**fields)

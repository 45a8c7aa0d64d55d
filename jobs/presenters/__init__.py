"""One presenter per resource: the dict every surface (REST, MCP, the portal, share links)
builds its answer from, under one set of field names. A surface may show a subset; it
never renames."""

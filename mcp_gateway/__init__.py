"""The per-user MCP endpoint: tools that call jobs/billing services for the token's user."""

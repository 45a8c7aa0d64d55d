"""The hub as an OAuth 2.1 authorization server, so MCP clients connect without a pasted
token (the MCP authorization spec, 2025-06-18): discovery, dynamic registration, consent,
PKCE, audience-bound tokens, revocation and the Connected apps list.

django-oauth-toolkit does the protocol; this package holds the hub's policy on top of it.
(`accounts/oauth/` is the other direction: the hub as a client of Hugging Face.)
"""

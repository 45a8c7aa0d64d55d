"""DNS-rebinding protection for the MCP transport, from the same settings as Django's."""

from django.conf import settings
from mcp.server.transport_security import TransportSecuritySettings


def _host_patterns(hosts: list[str]) -> list[str]:
    patterns: list[str] = []
    for host in hosts:
        host = host.lstrip(".")  # Django's ".example.com": the SDK matches exact names
        patterns += [host, f"{host}:*"]
    return patterns


def transport_security() -> TransportSecuritySettings:
    hosts = list(settings.ALLOWED_HOSTS)
    if "*" in hosts:
        # The operator opted out of Host checks for Django; MCP follows the same choice.
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    origins = list(settings.MCP_ALLOWED_ORIGINS) or [
        f"{scheme}://{pattern}" for scheme in ("http", "https") for pattern in _host_patterns(hosts)
    ]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=_host_patterns(hosts),
        allowed_origins=origins,
    )

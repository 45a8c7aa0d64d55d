"""The ASGI entry point served by uvicorn: Django, with room for mounted apps (MCP)."""

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asthub_site.settings")

from asthub_site.pooled_threads import get_asgi_application  # noqa: E402

django_app = get_asgi_application()

from asthub_site.ambient_credentials import refuse_ambient_platform_credentials  # noqa: E402

refuse_ambient_platform_credentials()

from asthub_site.router import Router  # noqa: E402  (Django must be set up first)
from mcp_gateway.server import MOUNT_PREFIXES, build_app  # noqa: E402

application = Router(default=django_app, mounts=[(MOUNT_PREFIXES, build_app())])

# Everything loaded so far (Django, the apps, numpy, matplotlib: about 280,000 objects)
# lives as long as the process. Left to the collector, each full collection walks all of
# it, about 0.2 s with the event loop stopped: the hub's p99 latency under load was that
# pause (bench/mcp_load.py). Frozen, collections walk only what requests create.
gc.freeze()

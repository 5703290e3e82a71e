"""A metrics port of its own for the aiohttp services (the console, the notifier): GET /metrics only.

The console's own port is public through the Ingress and the notifier serves no HTTP at all, so their
metrics listen on a separate port (CONSOLE_METRICS_PORT, NOTIFY_METRICS_PORT, on METRICS_HOST) that only
the monitoring namespace reaches (deploy/k8s/network-policies.yml). Before each scrape `refresh` reads
the gauges that come from the store (the handover queue, the outbox); if the store does not answer, the
scrape still answers, with the store error counted. A port already in use is logged, not fatal: the
service itself matters more than its metrics.
"""
from __future__ import annotations

import logging
from typing import Awaitable, Callable, Optional

from aiohttp import web

from bot.metrics import exposition

log = logging.getLogger(__name__)
Refresh = Callable[[], Awaitable[None]]


def metrics_app(refresh: Optional[Refresh] = None) -> web.Application:
    async def metrics(request: web.Request) -> web.Response:
        if refresh is not None:
            try:
                await refresh()
            except Exception:  # noqa: BLE001 - a broken store must not break the scrape
                log.warning("metrics: could not read the store's figures for this scrape", exc_info=True)
        body, content_type = exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    return app


async def start_metrics_port(host: str, port: int, refresh: Optional[Refresh] = None
                             ) -> Optional[web.AppRunner]:
    """Serve /metrics on host:port (port 0: not at all); the runner to clean up, or None."""
    if not port:
        return None
    runner = web.AppRunner(metrics_app(refresh), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as problem:
        log.warning("metrics: cannot listen on %s:%s (%s); this process serves no metrics", host, port,
                    problem.strerror or problem)
        await runner.cleanup()
        return None
    log.info("metrics at http://%s:%s/metrics", host, port)
    return runner

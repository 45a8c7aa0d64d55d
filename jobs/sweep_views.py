"""Portal pages for sweeps: the list of the user's sweeps, and one sweep's points ranked
by accuracy per kWh with the accuracy/energy Pareto front."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from asthub_site.errors import HubError
from jobs import selectors
from jobs.sweep_page import points_of, sweep_overview, sweep_points

SWEEPS_PER_PAGE = 50


@login_required
def sweep_list(request):
    page = Paginator(selectors.sweeps_for(request.user), SWEEPS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    sweeps = list(page)
    points = points_of(request.user, [sweep.pk for sweep in sweeps])
    rows = [(sweep, sweep_overview(points.get(sweep.pk, []))) for sweep in sweeps]
    return render(request, "jobs/sweeps.html", {"page": page, "rows": rows})


@login_required
def sweep_detail(request, sweep_id: int):
    try:
        sweep = selectors.sweep_for(request.user, sweep_id)
    except HubError:
        return render(request, "404.html", status=404)
    jobs = points_of(request.user, [sweep.pk]).get(sweep.pk, [])
    grid = sweep.grid if isinstance(sweep.grid, dict) else {}
    return render(request, "jobs/sweep.html", {"sweep": sweep, **sweep_points(grid, jobs)})

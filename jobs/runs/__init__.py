"""One package owns a run, from launch to its end, on every platform.

Its imports run one way: `launch` hands the run to its platform; a local run is then
`supervise`d by a training worker, a remote one is `poll`ed; both end in `finish`;
`reconcile` repairs what a dead worker, a lost message or a restart left behind. `cancel`
stops a run wherever it is. The Celery tasks in `jobs.tasks` are thin wrappers over these
modules and nothing here imports them back (`jobs.dispatch` sends work by task name).
"""

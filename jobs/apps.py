from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Training jobs"

    def ready(self) -> None:
        # Register the Celery tasks in every process at start-up (web included), so
        # jobs.dispatch finds them by name from the first request on, whichever thread
        # asks first.
        from billing.signals import plan_changed
        from jobs import tasks  # noqa: F401
        from jobs.queueing import start_waiting_jobs_after_plan_change

        plan_changed.connect(start_waiting_jobs_after_plan_change, dispatch_uid="jobs-upgrade")

"""The operators' view of training jobs and what hangs off them.

Django's autodiscovery imports this package; each module registers one area. State that a
service owns (a job's status, a publication's, a submission's) is read-only here, and
every action goes through that service so its checks and audit rows still apply.
"""

from jobs.admin import competitions, leaderboard, publications, sharing, sweeps, training_jobs

__all__ = ["competitions", "leaderboard", "publications", "sharing", "sweeps", "training_jobs"]

"""The local platform: the engine runs as a process on this hub's training workers."""

from jobs.platforms.local.adapter import LocalAdapter

__all__ = ["LocalAdapter"]

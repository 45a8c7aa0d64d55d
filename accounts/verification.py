"""Check a platform credential against its platform before it is stored.

Each platform's verifier lives beside its adapter (`jobs/platforms/<name>/`) and is
named here by dotted path, so accounts does not import the platforms at start-up. A
verifier takes the secret dict and returns the account name the platform reports, or
raises InvalidInput (wrong credential) / PlatformUnavailable (platform unreachable).
"""

from django.utils.module_loading import import_string

VERIFIERS: dict[str, str] = {
    "huggingface": "jobs.platforms.huggingface.verify.verify",
    "kaggle": "jobs.platforms.kaggle.credentials.verify_kaggle_credential",
}


def verify_credential(*, provider: str, secret: dict[str, str]) -> str:
    """The platform's name for the account this secret belongs to ("" if unverifiable)."""
    path = VERIFIERS.get(provider)
    if path is None:
        return ""
    return import_string(path)(secret)

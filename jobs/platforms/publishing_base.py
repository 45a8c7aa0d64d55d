"""What a model source hands to a target, and the two small interfaces they implement
(publishing targets and sources live with their platforms; jobs.publishing drives them)."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class ModelFiles:
    """A folder ready to publish, flat: model.safetensors, config files, ast_config.json,
    metrics.jsonl, plot PNGs and README.md (the model card) when the source has them."""

    folder: Path
    # A slug-like name targets use when the user gave no repository or handle.
    name: str
    job_id: int | None = None
    # AST metadata for targets that keep structured metadata (Kaggle Models): dataset,
    # model, accuracy, activation rate, savings, energy, engine version, script hash.
    metadata: dict = field(default_factory=dict)

    @property
    def card_markdown(self) -> str:
        card = self.folder / "README.md"
        return card.read_text() if card.exists() else ""

    def names(self) -> list[str]:
        return sorted(
            p.relative_to(self.folder).as_posix() for p in self.folder.rglob("*") if p.is_file()
        )


@dataclass(frozen=True)
class Published:
    """Where the model landed: a URL to show, the platform's reference and revision."""

    url: str
    ref: str
    revision: str = ""
    # Files kept by this hub itself (target "local"): [{name, size, sha256, storage_key}].
    files: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class PublishContext:
    """Who is publishing; targets that store files on this hub need the ids."""

    owner_id: int
    publication_id: int


class ModelSource(Protocol):
    name: str
    needs_credential: str | None

    def validate_ref(self, ref: str) -> str:
        """Return the cleaned reference (repo id, kernel) or raise InvalidInput."""

    def gather(self, ref: str, credential: dict | None, dest: Path) -> ModelFiles:
        """Download the model named by `ref` into `dest`."""


class ModelTarget(Protocol):
    name: str
    needs_credential: str | None

    def validate_ref(self, ref: str) -> str:
        """Return the cleaned target reference ("" means: derive one) or raise InvalidInput."""

    def publish(
        self,
        files: ModelFiles,
        credential: dict | None,
        *,
        ref: str,
        private: bool,
        context: PublishContext,
    ) -> Published: ...

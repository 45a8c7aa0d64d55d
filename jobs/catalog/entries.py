"""What one catalog entry says: a name a spec may use, where each platform gets it, and
what it needs. Plain data: the web process reads it without importing torch."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """Where one platform gets a data set or model."""

    fetch: str  # what that platform is handed: a catalog name, kaggle:..., hf:...
    downloads: bool = False  # fetched from the internet while the run starts
    note: str = ""


@dataclass(frozen=True)
class Needs:
    gpu: bool = False
    packages: tuple[str, ...] = ()  # Python packages the engine imports for it
    min_plan: str = "free"


@dataclass(frozen=True)
class CatalogEntry:
    name: str  # what a spec names, or the form to fill in for a pattern
    kind: str  # "dataset" | "model"
    family: str  # built-in, torchvision, timm, benchmark, kaggle, huggingface
    summary: str
    sources: dict[str, Source]  # platform -> how it gets this; absent = it cannot
    needs: Needs = field(default_factory=Needs)
    pattern: bool = False  # a form such as kaggle:OWNER/DATASET, not a literal name
    unavailable: dict[str, str] = field(default_factory=dict)  # platform -> why not
    params_millions: float | None = None
    fixed_input_size: int | None = None  # a model that takes only this image side
    modality: str | None = None  # a data set's samples: "image", "signal"; None: unknown

    @property
    def platforms(self) -> tuple[str, ...]:
        return tuple(self.sources)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "family": self.family,
            "summary": self.summary,
            "pattern": self.pattern,
            "platforms": {
                platform: {
                    "fetch": source.fetch,
                    "downloads": source.downloads,
                    "note": source.note,
                }
                for platform, source in self.sources.items()
            },
            "unavailable": dict(self.unavailable),
            "needs": {
                "gpu": self.needs.gpu,
                "packages": list(self.needs.packages),
                "min_plan": self.needs.min_plan,
            },
            "params_millions": self.params_millions,
            "fixed_input_size": self.fixed_input_size,
            "modality": self.modality,
        }

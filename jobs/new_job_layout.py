"""How the New job form is laid out: the spec's fields in sections a person reads in
order, and the rest folded away as advanced settings. The fields themselves come from the
spec's declaration (jobs.spec_form); a field this layout does not name lands in Advanced,
so a field added to the spec is never left off the page."""

from dataclasses import dataclass

from django.forms import BoundField, Form


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: list[BoundField]


SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("what", "What to train", ("dataset", "model", "pretrained", "name")),
    ("where", "Where", ("platform", "hardware")),
    (
        "ast",
        "Training and AST",
        (
            "epochs",
            "batch_size",
            "learning_rate",
            "target_activation_rate",
            "selection",
            "with_baseline",
        ),
    ),
    ("publishing", "Publishing", ("auto_upload_hf", "hf_repo")),
)


def form_sections(form: Form) -> tuple[list[Section], list[BoundField]]:
    """The form's sections, and its advanced fields (every field no section names)."""
    named = {name for _, _, names in SECTIONS for name in names}
    sections = [
        Section(key, title, [form[name] for name in names if name in form.fields])
        for key, title, names in SECTIONS
    ]
    advanced = [form[name] for name in form.fields if name not in named]
    return sections, advanced

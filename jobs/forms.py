"""Portal forms for jobs. They shape input; JobSpec and the services decide validity."""

from django import forms

DATASETS = [("digits", "digits (scikit-learn, 8×8 images)"), ("mnist1d", "MNIST-1D (signals)")]
MODELS = [("mlp", "MLP"), ("cnn", "Small CNN")]
PLATFORMS = [("local", "This hub's workers (CPU)"), ("kaggle", "Kaggle (your account)")]
KAGGLE_HARDWARE = [
    ("cpu", "CPU"),
    ("t4", "T4 ×2 (Kaggle; P100 requests run here)"),
    ("l4", "L4"),
    ("a100", "A100 (Pro)"),
    ("h100", "H100 (Pro)"),
    ("tpu-v5e-8", "TPU v5e-8 (Pro)"),
]


class NewJobForm(forms.Form):
    name = forms.CharField(max_length=100, required=False)
    platform = forms.ChoiceField(choices=PLATFORMS, initial="local")
    dataset = forms.ChoiceField(choices=DATASETS, initial="digits")
    kaggle_dataset = forms.CharField(
        max_length=300,
        required=False,
        label="Kaggle data (optional)",
        help_text="kaggle:OWNER/DATASET/FILE.csv:LABEL or competition:NAME/FILE.csv:LABEL; "
        "replaces the data set above on Kaggle.",
    )
    hardware = forms.ChoiceField(choices=KAGGLE_HARDWARE, initial="cpu", required=False)
    model = forms.ChoiceField(choices=MODELS, initial="mlp")
    epochs = forms.IntegerField(min_value=1, max_value=1000, initial=10)
    batch_size = forms.IntegerField(min_value=1, max_value=65536, initial=128)
    learning_rate = forms.FloatField(min_value=1e-8, max_value=10, initial=0.001)
    seed = forms.IntegerField(min_value=0, initial=0)
    target_activation_rate = forms.FloatField(min_value=0.01, max_value=1, initial=0.4)
    entropy_weight = forms.FloatField(min_value=0, max_value=1, initial=0.3)
    warmup_epochs = forms.IntegerField(min_value=0, max_value=1000, initial=1)
    selection = forms.ChoiceField(
        choices=[("threshold", "Threshold (PI controller)"), ("topk", "Top-k per batch")],
        initial="threshold",
    )
    with_baseline = forms.BooleanField(
        required=False,
        help_text=(
            "Also run plain training to compare with; it runs beside the AST run, or after "
            "it when your plan runs one job at a time."
        ),
    )

    AST_FIELDS = ("target_activation_rate", "entropy_weight", "warmup_epochs", "selection")

    def spec_dict(self) -> dict:
        data = dict(self.cleaned_data)
        data["ast_config"] = {name: data.pop(name) for name in self.AST_FIELDS}
        kaggle_dataset = data.pop("kaggle_dataset", "")
        if kaggle_dataset:
            data["dataset"] = kaggle_dataset
        data["hardware"] = data.get("hardware") or "cpu"
        return data


class CompareForm(forms.Form):
    ast_run_id = forms.IntegerField(min_value=1, label="AST run")
    baseline_run_id = forms.IntegerField(
        min_value=1,
        required=False,
        label="Baseline run",
        help_text="Empty: its paired baseline, or an estimate.",
    )


class CardForm(forms.Form):
    template = forms.ChoiceField(
        choices=[("standard", "Standard"), ("competition", "Competition"), ("research", "Research")]
    )

"""The data sets a spec may name: built-ins, torchvision sets, benchmark aliases, and the
forms that point at Kaggle and Hugging Face data.

A source that downloads at run time is not offered on Kaggle: a kernel reaches the
internet only on a phone-verified account, which the hub cannot see, and a kernel that
cannot download fails after it has spent the user's GPU quota.
"""

from jobs.catalog.entries import CatalogEntry, Needs, Source

KAGGLE_OFFLINE = (
    "Kaggle kernels reach the internet only on phone-verified accounts, so the hub does "
    "not start downloads there; attach the data as a Kaggle data set "
    "(kaggle:OWNER/DATASET) or train on huggingface or local."
)
LOCAL_TOO_LARGE = (
    "too large for this hub's workers; train on kaggle (attached data set) or huggingface."
)
KAGGLE_ONLY = "Kaggle data is attached to Kaggle kernels only; use platform 'kaggle'."
COMPETITION_ONLY = (
    "competition data is attached to Kaggle kernels of accounts that accepted the rules; "
    "use platform 'kaggle'."
)


def _everywhere(name: str) -> dict[str, Source]:
    return {platform: Source(name) for platform in ("local", "kaggle", "huggingface")}


def _torchvision_set(name: str, summary: str) -> CatalogEntry:
    download = Source(name, downloads=True, note="torchvision downloads it on first use")
    return CatalogEntry(
        name=name,
        kind="dataset",
        family="torchvision",
        summary=summary,
        sources={"local": download, "huggingface": download},
        needs=Needs(packages=("torchvision",)),
        unavailable={"kaggle": KAGGLE_OFFLINE},
        modality="image",
    )


BUILT_IN = (
    CatalogEntry(
        name="digits",
        kind="dataset",
        family="built-in",
        summary="scikit-learn's 1,797 handwritten digits, 8×8 grey images, 10 classes; "
        "ships with scikit-learn, nothing to download.",
        sources=_everywhere("digits"),
        needs=Needs(packages=("scikit-learn",)),
        modality="image",
    ),
    CatalogEntry(
        name="mnist1d",
        kind="dataset",
        family="built-in",
        summary="MNIST-1D: 5,000 one-dimensional signals, 10 classes, generated on the "
        "machine by the mnist1d package.",
        sources=_everywhere("mnist1d"),
        needs=Needs(packages=("mnist1d",)),
        modality="signal",
    ),
)

TORCHVISION = (
    _torchvision_set("mnist", "MNIST: 70,000 28×28 grey handwritten digits, 10 classes."),
    _torchvision_set(
        "fashion_mnist", "Fashion-MNIST: 70,000 28×28 grey clothing images, 10 classes."
    ),
    _torchvision_set("cifar10", "CIFAR-10: 60,000 32×32 colour images, 10 classes."),
    _torchvision_set("cifar100", "CIFAR-100: 60,000 32×32 colour images, 100 classes."),
)

BENCHMARKS = (
    CatalogEntry(
        name="imagenet-100",
        kind="dataset",
        family="benchmark",
        summary="ImageNet-100: 100 ImageNet classes, about 126,000 training and 5,000 "
        "validation images.",
        sources={
            "kaggle": Source(
                "kaggle:ambityga/imagenet100", note="attached to the kernel as a data set"
            ),
            "huggingface": Source(
                "hf:clane9/imagenet-100", downloads=True, note="the Hub's data set"
            ),
        },
        needs=Needs(gpu=True),
        unavailable={"local": "ImageNet-100 (about 17 GB) is " + LOCAL_TOO_LARGE},
        modality="image",
    ),
    CatalogEntry(
        name="plant-pathology-2020-fgvc7",
        kind="dataset",
        family="benchmark",
        summary="Plant Pathology 2020 (FGVC7): 1,821 apple-leaf photos labelled healthy, "
        "multiple diseases, rust or scab; a Kaggle competition.",
        sources={
            "kaggle": Source(
                "competition:plant-pathology-2020-fgvc7/train.csv",
                note="the competition's images and train.csv (one 0/1 column per class), "
                "attached to the kernel",
            )
        },
        needs=Needs(gpu=True),
        unavailable={"local": COMPETITION_ONLY, "huggingface": COMPETITION_ONLY},
        modality="image",
    ),
)

PATTERNS = (
    CatalogEntry(
        name="kaggle:OWNER/DATASET[/PATH]",
        kind="dataset",
        family="kaggle",
        summary="A Kaggle data set attached to the kernel: a folder per class, or PATH to "
        "a sub-folder, a .csv (add :LABEL_COLUMN) or an .npz inside it.",
        sources={"kaggle": Source("kaggle:OWNER/DATASET[/PATH]")},
        pattern=True,
        unavailable={"local": KAGGLE_ONLY, "huggingface": KAGGLE_ONLY},
    ),
    CatalogEntry(
        name="competition:SLUG/FILE[:LABEL]",
        kind="dataset",
        family="kaggle",
        summary="A Kaggle competition's data attached to the kernel; accept the "
        "competition's rules on kaggle.com first.",
        sources={"kaggle": Source("competition:SLUG/FILE[:LABEL]")},
        pattern=True,
        unavailable={"local": COMPETITION_ONLY, "huggingface": COMPETITION_ONLY},
    ),
    CatalogEntry(
        name="hf:OWNER/NAME[:SPLIT]",
        kind="dataset",
        family="huggingface",
        summary="A data set on the Hugging Face Hub with an image or feature columns and a "
        "label column, loaded with the datasets library (split: train by default).",
        sources={
            "huggingface": Source("hf:OWNER/NAME[:SPLIT]", downloads=True),
            "local": Source("hf:OWNER/NAME[:SPLIT]", downloads=True),
        },
        needs=Needs(packages=("datasets",)),
        pattern=True,
        unavailable={"kaggle": KAGGLE_OFFLINE},
    ),
)

DATASETS: tuple[CatalogEntry, ...] = BUILT_IN + TORCHVISION + BENCHMARKS + PATTERNS

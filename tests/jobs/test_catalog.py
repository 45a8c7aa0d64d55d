"""The catalog: what each name means on each platform, and the refusals before anything is
reserved."""

import pytest

from asthub_site.errors import InvalidInput
from jobs.catalog import search_catalog
from jobs.catalog.datasets import BENCHMARKS
from jobs.spec import JobSpec


def _refusal(**spec) -> str:
    with pytest.raises(InvalidInput) as info:
        JobSpec.from_dict(spec)
    return info.value.message


def test_imagenet_100_is_a_kaggle_attachment_on_kaggle_and_a_hub_data_set_on_hf():
    on_kaggle = JobSpec.from_dict(
        {"dataset": "imagenet-100", "platform": "kaggle", "hardware": "t4"}
    )
    assert on_kaggle.platform_state()["data_sources"]["datasets"] == ["ambityga/imagenet100"]
    assert on_kaggle.engine_config()["dataset"] == "imagefolder:/kaggle/input/imagenet100"
    on_hf = JobSpec.from_dict(
        {"dataset": "imagenet-100", "platform": "huggingface", "hardware": "a10g-small"}
    )
    assert on_hf.engine_config()["dataset"] == "hf:clane9/imagenet-100"
    assert on_hf.platform_state() == {}


def test_imagenet_100_on_local_says_where_it_can_run():
    message = _refusal(dataset="imagenet-100")
    assert "not available on local" in message
    assert "kaggle" in message and "huggingface" in message


def test_a_download_on_kaggle_is_refused_with_what_to_do_instead():
    message = _refusal(dataset="cifar10", platform="kaggle")
    assert "phone-verified" in message and "kaggle:OWNER/DATASET" in message


def test_cifar_trains_where_it_can_download():
    assert JobSpec.from_dict({"dataset": "cifar100"}).engine_config()["dataset"] == "cifar100"
    spec = JobSpec.from_dict({"dataset": "cifar10", "platform": "huggingface"})
    assert spec.hardware == "cpu-basic" and spec.engine_config()["dataset"] == "cifar10"


def test_an_unknown_name_gets_the_closest_known_ones():
    assert "Did you mean imagenet-100" in _refusal(dataset="imagenet100")
    assert "Did you mean resnet18" in _refusal(model="resnet1")
    assert "GET /api/v1/catalog" in _refusal(dataset="nope")


@pytest.mark.parametrize(
    "dataset",
    [
        "hf:/etc/passwd",
        "hf:./data",
        "csv:/etc/passwd:label",
        "npz:/home/alice/secret.npz",
        "imagefolder:/srv",
        "../etc",
        "~/data",
        "kaggle:someone/data/../../etc",
        "hf:owner/name/../../x",
        "file:///etc/passwd",
        "C:\\\\data",
    ],
)
@pytest.mark.parametrize("platform", ["local", "kaggle", "huggingface"])
def test_paths_are_refused_on_every_platform(dataset, platform):
    spec = {"dataset": dataset, "platform": platform}
    with pytest.raises(InvalidInput) as info:
        JobSpec.from_dict(spec)
    assert info.value.fields.get("dataset"), info.value.message


def test_kaggle_data_and_competitions_attach_to_kernels_only():
    spec = JobSpec.from_dict(
        {"dataset": "competition:titanic/train.csv:Survived", "platform": "kaggle"}
    )
    assert spec.platform_state()["data_sources"]["competitions"] == ["titanic"]
    assert "use platform 'kaggle'" in _refusal(dataset="kaggle:someone/iris")


def test_a_kaggle_data_set_may_name_a_folder_inside_it():
    spec = JobSpec.from_dict(
        {"dataset": "kaggle:someone/flowers/flowers/train", "platform": "kaggle"}
    )
    assert spec.engine_config()["dataset"] == "imagefolder:/kaggle/input/flowers/flowers/train"


def test_a_large_model_needs_a_gpu():
    message = _refusal(model="vit_l_16")
    assert "needs a GPU" in message
    spec = JobSpec.from_dict(
        {"model": "vit_l_16", "platform": "kaggle", "hardware": "t4", "image_size": 224}
    )
    assert spec.resolved.model.needs.min_plan == "pro"


def test_search_filters_by_kind_platform_and_text_best_match_first():
    kaggle_sets = search_catalog(kind="dataset", platform="kaggle")
    assert "imagenet-100" in [entry.name for entry in kaggle_sets]
    assert "cifar10" not in [entry.name for entry in kaggle_sets]
    resnets = search_catalog(kind="model", query="resnet18")
    assert resnets[0].name == "resnet18" and resnets[0].family == "torchvision"
    assert all(entry.kind == "model" for entry in resnets)


def test_every_benchmark_alias_says_where_each_platform_gets_it():
    for alias in BENCHMARKS:
        for platform in ("local", "kaggle", "huggingface"):
            assert platform in alias.sources or alias.unavailable.get(platform), (
                alias.name,
                platform,
            )


def test_the_spec_defaults_are_the_engines():
    from asthub_spec import AstSettings
    from jobs.training import ASTConfig, TrainingConfig

    engine_ast = ASTConfig()
    for name, value in AstSettings().model_dump().items():
        assert getattr(engine_ast, name) == value, name
    engine = TrainingConfig()
    declared = JobSpec()
    for name in ("dataset", "model", "epochs", "batch_size", "learning_rate", "seed"):
        assert getattr(engine, name) == getattr(declared, name), name


def test_plant_pathology_attaches_the_competition_and_reads_its_image_csv():
    spec = JobSpec.from_dict(
        {"dataset": "plant-pathology-2020-fgvc7", "platform": "kaggle", "hardware": "t4"}
    )
    assert spec.platform_state()["data_sources"]["competitions"] == ["plant-pathology-2020-fgvc7"]
    assert spec.engine_config()["dataset"] == (
        "csv:/kaggle/input/plant-pathology-2020-fgvc7/train.csv"
    )
    assert "accepted the rules" in _refusal(dataset="plant-pathology-2020-fgvc7")


def test_what_the_engine_could_only_fail_on_is_refused_at_start():
    assert "use mlp or cnn" in _refusal(model="resnet18", dataset="mnist1d")
    assert "set image_size to 224" in _refusal(model="vit_b_16")
    assert JobSpec.from_dict({"model": "vit_b_16", "image_size": 224}).image_size == 224

"""Image data as Kaggle ships it: a CSV of image ids with one 0/1 column per class beside
an images/ folder (plant-pathology-2020-fgvc7), and splits cut into parts (ImageNet-100's
train.X1 ... train.X4 and val.X)."""

import numpy as np
import pytest

from jobs.training.data import load_dataset
from jobs.training.errors import DatasetError

Image = pytest.importorskip("PIL.Image")
CLASSES = ("healthy", "multiple_diseases", "rust", "scab")


def _image(path, shade: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (20, 14), (shade, 255 - shade, shade // 2)).save(path)


def test_plant_pathology_layout_reads_one_hot_classes_beside_images(tmp_path):
    rows = ["image_id," + ",".join(CLASSES)]
    for i in range(12):
        _image(tmp_path / "images" / f"Train_{i}.jpg", 20 * i)
        one_hot = ["1" if c == i % 4 else "0" for c in range(4)]
        rows.append(f"Train_{i}," + ",".join(one_hot))
    (tmp_path / "train.csv").write_text("\n".join(rows) + "\n")

    data = load_dataset(f"csv:{tmp_path / 'train.csv'}", seed=0, val_fraction=0.25, image_size=16)

    assert data.input_shape == (3, 16, 16)
    assert data.num_classes == 4
    labels = np.concatenate([data.y_train.numpy(), data.y_val.numpy()])
    assert sorted(labels.tolist()) == sorted(i % 4 for i in range(12))


def test_image_csv_with_a_row_in_two_classes_is_refused(tmp_path):
    _image(tmp_path / "images" / "a.jpg", 10)
    _image(tmp_path / "images" / "b.jpg", 90)
    (tmp_path / "train.csv").write_text("id,x,y\na,1,1\nb,0,1\n")
    with pytest.raises(DatasetError, match="exactly one class"):
        load_dataset(f"csv:{tmp_path / 'train.csv'}", seed=0, val_fraction=0.5)


def test_a_table_of_numbers_is_still_a_table(tmp_path):
    (tmp_path / "t.csv").write_text("a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    data = load_dataset(f"csv:{tmp_path / 't.csv'}", seed=0, val_fraction=0.5)
    assert data.input_shape == (2,)


def test_imagenet_100_layout_merges_split_parts_and_keeps_the_validation_part(tmp_path):
    for part, classes in (("train.X1", ("n01", "n02")), ("train.X2", ("n03",))):
        for cls in classes:
            for i in range(3):
                _image(tmp_path / part / cls / f"{i}.JPEG", 40 * i)
    for cls in ("n01", "n02", "n03"):
        _image(tmp_path / "val.X" / cls / "v.JPEG", 100)
    (tmp_path / "Labels.json").write_text("{}")

    data = load_dataset(f"imagefolder:{tmp_path}", seed=0, val_fraction=0.2, image_size=8)

    assert data.num_classes == 3
    assert len(data.y_train) == 9 and sorted(set(data.y_train.tolist())) == [0, 1, 2]
    assert sorted(data.y_val.tolist()) == [0, 1, 2]


def test_pixels_are_stored_as_bytes_and_normalised_per_batch(tmp_path):
    """A quarter of float32's memory (ImageNet-100 at 128 px: 6 GB, not 25 GB); what the
    model sees is the same normalised input as before."""
    import torch

    from jobs.training.data import model_input

    for shade, name in ((0, "dark"), (255, "light")):
        for i in range(70):  # enough files to be decoded on several threads
            _image(tmp_path / name / f"{i}.png", shade)
    data = load_dataset(f"imagefolder:{tmp_path}", seed=0, val_fraction=0.2, image_size=8)
    assert data.x_train.dtype == torch.uint8 and len(data.y_train) + len(data.y_val) == 140
    first = data.x_train[:1]
    expected = (first.double() / 255.0 - 0.5) / 0.25
    assert torch.allclose(model_input(first).double(), expected, atol=1e-6)
    # Labels follow the pixels through the threaded decode: dark is class 0, light class 1.
    red = data.x_train[:, 0, 0, 0]
    assert torch.equal(data.y_train, (red > 127).long())

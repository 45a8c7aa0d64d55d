"""The hub's reader of metrics.jsonl (MetricFileTail) while an engine writes, dies and
resumes: every epoch is read, whatever the engine did to the file."""

import json
import os

from jobs.training.contract import MetricFileTail


def _line(epoch: int, padding: str = "") -> str:
    return json.dumps({"epoch": epoch, "val_accuracy": 0.5, "note": padding}) + "\n"


def test_a_half_written_line_waits_for_its_newline(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_text(_line(1) + _line(2)[:10])
    tail = MetricFileTail(path)
    assert [p["epoch"] for p in tail.read_new()] == [1]
    with open(path, "a") as handle:
        handle.write(_line(2)[10:])
    assert [p["epoch"] for p in tail.read_new()] == [2]


def test_a_file_rewritten_on_resume_is_read_again_from_the_start(tmp_path):
    # The engine emitted epoch 3, was killed before its checkpoint, and on resume rewrote
    # the file to epochs 1-2, then trained epoch 3 again (a line one byte shorter) and 4.
    path = tmp_path / "metrics.jsonl"
    path.write_text(_line(1) + _line(2) + _line(3, "xx"))
    tail = MetricFileTail(path)
    assert [p["epoch"] for p in tail.read_new()] == [1, 2, 3]
    rewritten = tmp_path / ".tmp-metrics"
    rewritten.write_text(_line(1) + _line(2))
    os.replace(rewritten, path)
    with open(path, "a") as handle:
        handle.write(_line(3, "x") + _line(4))
    assert [p["epoch"] for p in tail.read_new()] == [1, 2, 3, 4]

from __future__ import annotations

import pytest

from jobs.training import ConfigError, TrainingConfig


def test_config_round_trips_through_dict():
    config = TrainingConfig.from_dict({"dataset": "mnist1d", "ast": {"selection": "topk"}})
    again = TrainingConfig.from_dict(config.to_dict())
    assert again == config
    assert again.ast.selection == "topk"


def test_unknown_config_key_is_rejected_naming_supported_keys():
    with pytest.raises(ConfigError) as info:
        TrainingConfig.from_dict({"learning_rte": 0.1})
    message = str(info.value)
    assert "learning_rte" in message
    assert "learning_rate" in message and "batch_size" in message


def test_unknown_ast_key_is_rejected_naming_supported_ast_keys():
    with pytest.raises(ConfigError) as info:
        TrainingConfig.from_dict({"ast": {"target": 0.4}})
    assert "ast.target_activation_rate" in str(info.value)


@pytest.mark.parametrize(
    "data",
    [
        {"epochs": 0},
        {"epochs": "3"},
        {"learning_rate": -1},
        {"optimizer": "lion"},
        {"ast": {"selection": "bottomk"}},
        {"ast": {"scoring": "cached"}},
        {"ast": {"target_activation_rate": 1.5}},
        {"pretrained": "yes"},
    ],
)
def test_invalid_values_raise_config_error(data):
    with pytest.raises(ConfigError):
        TrainingConfig.from_dict(data)


def test_integer_accepted_where_float_expected():
    assert TrainingConfig.from_dict({"learning_rate": 1}).learning_rate == 1.0

import pytest

from shnor.config import load_config, parameter_table
from shnor.errors import UserError


def test_defaults_carry_sources():
    params = load_config()
    assert params["profile"] == "sverdlovsk"
    table = parameter_table(params)
    row = table.set_index("parameter").loc["indicators.min_participants"]
    assert row["value"] == "5"
    assert "SPEC" in row["source"]


def test_user_override_and_unknown_key(tmp_path):
    f = tmp_path / "my.yaml"
    f.write_text("indicators:\n  min_participants: 10\n", encoding="utf-8")
    assert load_config(config_file=f)["indicators"]["min_participants"] == 10
    f.write_text("indicators:\n  min_participant: 10\n", encoding="utf-8")
    with pytest.raises(UserError, match="неизвестный параметр «indicators.min_participant»"):
        load_config(config_file=f)


def test_unknown_profile():
    with pytest.raises(UserError, match="Неизвестный профиль"):
        load_config(profile="moscow")


def test_broken_yaml(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("indicators: [\n", encoding="utf-8")
    with pytest.raises(UserError, match="ошибка синтаксиса YAML"):
        load_config(config_file=f)

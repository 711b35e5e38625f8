"""The documentation stays true: the generated parts are what docs/generera.py writes now; every
indicator (of every bundled configuration), every configuration key, every problem code and
every export column appears in docs/; and nothing points outside the project."""

import importlib.util
import re

import pytest
from conftest import ROOT

from indikator import config as config_module
from indikator.locations import bundled_configs
from indikator.problems import KINDS
from indikator.schema import EXPORTS

DOCS = ROOT / "docs"


def _generator():
    spec = importlib.util.spec_from_file_location("generera", DOCS / "generera.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _all_docs() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in DOCS.glob("*.md"))


@pytest.mark.parametrize("name", sorted(_generator().FILES))
def test_generated_docs_are_current(name):
    make = _generator().FILES[name]
    assert (DOCS / name).read_text(encoding="utf-8") == make(), (
        f"kör python docs/generera.py ({name})"
    )


def test_every_indicator_is_documented():
    text = _all_docs()
    for path in bundled_configs().values():
        for indicator in config_module.load_config(path).indicators:
            assert f"`{indicator}`" in text, indicator


def test_every_configuration_key_is_documented():
    text = (DOCS / "konfiguration.md").read_text(encoding="utf-8")
    models = [
        obj
        for obj in vars(config_module).values()
        if isinstance(obj, type)
        and issubclass(obj, config_module._Strict)
        and obj is not config_module._Strict
    ]
    assert len(models) >= 8
    for model in models:
        for key in model.model_fields:
            assert (
                f"`{key}`" in text or re.search(rf"^\[+{key}\]+", text, re.M) or f"[{key}." in text
            ), (
                model.__name__,
                key,
            )
    for group in config_module.GROUP_LISTS:
        assert f"`{group}`" in text


def test_every_esf_key_and_status_group_is_documented():
    from indikator import esf_config

    text = (DOCS / "rapporter.md").read_text(encoding="utf-8")
    for model in (esf_config.Esf, esf_config.EsfIndicator, esf_config.Outcome):
        for key in model.model_fields:
            assert f"`{key}`" in text, (model.__name__, key)
    for name in (*esf_config.STATUS_GROUPS, esf_config.UNKNOWN_STATUS, *esf_config.PROGRAMMES):
        assert f"`{name}`" in text or f'"{name}"' in text, name


def test_every_problem_code_is_documented():
    text = _all_docs()
    for code in KINDS:
        assert f"`{code}`" in text, code


def test_every_export_column_is_documented():
    text = (DOCS / "exporter.md").read_text(encoding="utf-8")
    for export, model in EXPORTS.items():
        assert f"## {export}" in text
        for column in model.columns():
            assert f"`{column}`" in text, (export, column)


def test_nothing_points_outside_the_project():
    for path in [ROOT / "README.md", *DOCS.glob("*.md")]:
        assert "../shared" not in path.read_text(encoding="utf-8"), path.name


def test_the_docs_cover_what_a_user_asks():
    korning = (DOCS / "korning.md").read_text(encoding="utf-8")
    for words in ("cron", "systemd", "Schemaläggaren", "Utkoder", "ackumulerat", "tertial"):
        assert words in korning
    skydd = (DOCS / "skydd.md").read_text(encoding="utf-8")
    assert "Vad det inte skyddar" in skydd

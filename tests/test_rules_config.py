"""policy/rules.toml extends the built-in defaults; mistakes in it are reported."""

from __future__ import annotations

import pytest

from pressroom.rules.catalog import RULES
from pressroom.rules.config import load_config


def test_defaults_load_cleanly():
    config, problems = load_config()
    assert problems == []
    assert "scumbag" in config.terms["abusive"]
    assert config.training_period_days == 365
    assert set(config.severity) <= set(RULES)


def test_lists_extend_and_remove_and_scalars_override():
    config, problems = load_config(
        '[allow]\nphones = ["(555) 010-4400", "555.010.4401"]\ntoll_free = false\n'
        '[terms]\nabusive = ["hoodlum"]\n[terms.remove]\nabusive = ["thug"]\n'
        '[training]\nperiod_days = 730\n[severity]\nLANG-ABUSIVE = "warning"\n')
    assert problems == []
    assert config.allow_phones == {"5550104400", "5550104401"}
    assert not config.allow_toll_free
    assert "hoodlum" in config.terms["abusive"] and "thug" not in config.terms["abusive"]
    assert "scumbag" in config.terms["abusive"]
    assert config.training_period_days == 730
    assert config.severity_of("LANG-ABUSIVE") == "warning"
    assert config.severity_of("PRIVACY-SSN") == "error"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("[allow\n", 1, "not valid TOML"),
        ("[alow]\nphones = []\n", 1, "unknown section [alow]"),
        ("[training]\nperiod_days = 'a year'\n", 2, "training.period_days must be a int"),
        ("[severity]\nPRIVACY-SNN = 'off'\n", 2, "unknown rule 'PRIVACY-SNN'"),
        ("[severity]\nPRIVACY-SSN = 'never'\n", 2, "must be one of error, warning, off"),
        ("[terms]\nabusive = [1, 2]\n", 2, "must be a list of strings"),
        ("[terms.remove]\ncurses = ['x']\n", 2, "[terms.remove] takes lists named"),
    ],
)
def test_mistakes_are_reported_with_a_line(text, line, words):
    config, problems = load_config(text)
    [problem] = problems
    assert problem.rule_id == "RULES-CONFIG" and problem.line == line
    assert words in problem.message
    assert config.training_period_days == 365  # the defaults still apply

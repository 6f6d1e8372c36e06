"""Organisation policy files: the default, the examples in policies/, clear errors, and the CLI option."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyser.cli import app
from analyser.errors import ConfigError
from analyser.policy import default_policy, default_policy_text, load_policy, parse_policy

REPO = Path(__file__).resolve().parent.parent
POLICIES = REPO / "policies"
EXAMPLE = REPO / "examples" / "en_dpa_cloudhost.pdf"
runner = CliRunner()


def test_default_policy_is_documented_in_policies_folder() -> None:
    assert (POLICIES / "default.toml").read_text(encoding="utf-8") == default_policy_text()
    loaded = default_policy()
    assert loaded.policy.name == "default"
    assert loaded.policy.allowed_storage_regions == ("EEA",)
    assert loaded.policy.us_group_acceptable is False
    assert load_policy(POLICIES / "default.toml").ref == loaded.ref


@pytest.mark.parametrize("name", ["default", "strict", "permissive"])
def test_example_policies_load(name: str) -> None:
    assert load_policy(POLICIES / f"{name}.toml").ref.name.startswith(name.split("-")[0])


def test_a_partial_policy_takes_the_defaults() -> None:
    loaded = parse_policy('name = "ours"\nmax_deletion_days = 14\nallowed_storage_regions = ["nl", "de"]\n')
    assert loaded.policy.max_deletion_days == 14
    assert loaded.policy.allowed_storage_regions == ("NL", "DE")
    assert loaded.policy.max_breach_notification_hours == 48
    assert loaded.ref.name == "ours"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\nmax_deletion_days = "soon"', "max_deletion_days: Input should be a valid integer"),
        ('name = "x"\nmax_deletion_days = -1', "max_deletion_days: Input should be greater than or equal to 0"),
        ('name = "x"\nallowed_storage_regions = ["Mars"]', "allowed_storage_regions: 'Mars' is not a region"),
        ('name = "x"\ntrusted_jurisdictions = ["XX"]', "trusted_jurisdictions: 'XX' is not a region"),
        ('name = "x"\nrequired_key_custody = "vendor"', "required_key_custody: Input should be 'customer'"),
        ('name = "x"\nmax_breach_hours = 24', "max_breach_hours: unknown key"),
        ("max_deletion_days = 14", "name: Field required"),
        ('name = "x"\ndata_classification = "secret"', "data_classification: Input should be 'public'"),
        ("name = ", "is not valid TOML"),
    ],
)
def test_invalid_policy_names_the_field(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_policy(text, "ours.toml")
    assert "Policy file ours.toml" in str(caught.value)
    assert message in str(caught.value)


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Policy file not found"):
        load_policy(tmp_path / "nope.toml")


def test_cli_records_the_policy_used(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "analyse",
            str(EXAMPLE),
            "--backend",
            "rules",
            "--out",
            str(tmp_path),
            "--policy",
            str(POLICIES / "strict.toml"),
        ],
    )
    assert result.exit_code == 0, result.output
    risk = json.loads((tmp_path / "en_dpa_cloudhost.json").read_text(encoding="utf-8"))["risk"]
    assert risk["policy"]["name"] == "strict-special-category"
    assert risk["policy"]["sha256"] == load_policy(POLICIES / "strict.toml").ref.sha256
    assert risk["overall"] == "high"
    assert risk["sovereignty_level"] == "SEAL-1"
    ids = {f["rule_id"] for f in risk["findings"]}
    assert {"JUR-01", "GEO-04", "SUB-05"} <= ids
    jur = next(f for f in risk["findings"] if f["rule_id"] == "JUR-01")
    assert jur["legal_basis"][0] == {"instrument": "US CLOUD Act", "article": "18 U.S.C. §2713"}
    assert jur["evidence"] and all(e["page"] >= 1 and e["quote"] for e in jur["evidence"])


def test_cli_default_policy_and_permissive_policy_differ(tmp_path: Path) -> None:
    levels = {}
    for name in ("default", "permissive"):
        out = tmp_path / name
        result = runner.invoke(
            app,
            [
                "analyse",
                str(EXAMPLE),
                "--backend",
                "rules",
                "--out",
                str(out),
                "--policy",
                str(POLICIES / f"{name}.toml"),
            ],
        )
        assert result.exit_code == 0, result.output
        risk = json.loads((out / "en_dpa_cloudhost.json").read_text(encoding="utf-8"))["risk"]
        levels[name] = risk["dimensions"]["jurisdiction"]["level"]
    assert levels == {"default": "high", "permissive": "medium"}


def test_cli_bad_policy_is_a_clear_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nmax_deletion_days = "soon"\n', encoding="utf-8")
    result = runner.invoke(
        app, ["analyse", str(EXAMPLE), "--backend", "rules", "--out", str(tmp_path / "o"), "--policy", str(bad)]
    )
    assert result.exit_code == 2
    assert "max_deletion_days" in result.stderr
    assert "Traceback" not in result.output + result.stderr

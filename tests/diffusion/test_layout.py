"""The package layout (issue 12): every public diffusion name is importable from
``shequn.diffusion`` and from the module path it had before the split."""

from __future__ import annotations

import importlib

import pytest

import shequn.diffusion as diffusion

SUBPACKAGES = ["bass", "reach", "cascades", "seeding"]


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_every_public_name_reaches_the_package(name: str) -> None:
    sub = importlib.import_module(f"shequn.diffusion.{name}")
    missing = [n for n in sub.__all__ if n not in diffusion.__all__ and n != "BLOCK"]
    assert missing == []
    for n in sub.__all__:
        assert getattr(diffusion, n, getattr(sub, n)) is getattr(sub, n)


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("shequn.diffusion.bass", ["Bass", "BassFit", "BassForecast", "fit_bass", "bkj_effort"]),
        ("shequn.diffusion.reach", ["BroadcastCampaign", "compare_budget", "fit_open_rate"]),
        ("shequn.diffusion.cascades", ["DiffusionResult", "RandomSeeds", "rumour", "BLOCK"]),
        ("shequn.diffusion.seeding", ["SeedSet", "METHODS", "imm", "rr_spread", "celf"]),
    ],
)
def test_old_import_paths_still_work(path: str, names: list[str]) -> None:
    mod = importlib.import_module(path)
    for n in names:
        assert hasattr(mod, n), (path, n)


def test_from_diffusion_import_bass() -> None:
    from shequn.diffusion import Bass

    assert Bass(p=0.03, q=0.38).p == 0.03

"""Fitted models saved as JSON and read back (never pickle: loading runs no code)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shequn.exceptions import InvalidParameterError
from shequn.loyalty.customer_base import (
    BGBB,
    BGNBD,
    CustomerBaseFit,
    GammaGamma,
    ModifiedBGNBD,
    ParetoNBD,
    load_cdnow_sample,
    load_fit,
)


@pytest.fixture(scope="module")
def fits():
    s = load_cdnow_sample().rfm()
    x, tx, n = BGBB(alpha=1.2, beta=0.75, gamma=0.66, delta=2.8).sample(2000, 6, rng=1)
    return [
        BGNBD.fit(data=s),
        ModifiedBGNBD.fit(data=s),
        ParetoNBD.fit(data=s),
        GammaGamma.fit(data=s, q_constraint=True),
        BGBB.fit(x, tx, n),
    ]


def test_every_fit_round_trips(fits, tmp_path):
    for i, fit in enumerate(fits):
        path = tmp_path / f"fit{i}.json"
        fit.save(path)
        back = load_fit(path)
        assert back == fit
        assert type(back.model) is type(fit.model)
        assert back.conf_int() == fit.conf_int()
        assert str(back.summary()) == str(fit.summary())
        text = path.read_text()
        assert json.loads(text)["format"] == "shequn.CustomerBaseFit"


def test_predictions_after_loading_are_identical(fits):
    s = load_cdnow_sample().rfm()
    back = CustomerBaseFit.from_json(fits[2].to_json())
    np.testing.assert_array_equal(
        back.model.p_alive(s.frequency, s.recency, s.T),
        fits[2].model.p_alive(s.frequency, s.recency, s.T),
    )


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        json.dumps({"format": "pickle"}),
        json.dumps({"format": "shequn.CustomerBaseFit", "model": {"type": "os.system"}}),
        json.dumps(
            {"format": "shequn.CustomerBaseFit", "model": {"type": "BGNBD", "params": {"r": -1}}}
        ),
    ],
)
def test_bad_json_is_refused_with_our_error(text):
    with pytest.raises(InvalidParameterError):
        CustomerBaseFit.from_json(text)

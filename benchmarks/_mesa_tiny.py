"""The tiny task as a Mesa model (a module of its own so that mesa's spawn pool can import it)."""

from __future__ import annotations

import mesa


class TinyModel(mesa.Model):  # type: ignore[misc]
    """One step that draws one random number and records it."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(seed=seed)
        self.value = 0.0
        self.datacollector = mesa.DataCollector(model_reporters={"value": "value"})

    def step(self) -> None:
        self.value = self.random.random()
        self.datacollector.collect(self)
        self.running = False

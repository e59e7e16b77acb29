"""The operating model 通/法/术/器 (seed 001 §4.2) and the economics it is judged by.

Examples
--------
>>> from shequn.operating import OperatingModel, Economics
>>> OperatingModel().connectivity.feedback.value, Economics().price
('open', 100.0)
"""

from shequn.economics.money import Economics
from shequn.operating.model import (
    Connectivity,
    Content,
    FeedbackChannel,
    OperatingModel,
    Schedule,
    Structure,
    Tools,
)

__all__ = [
    "Connectivity",
    "Content",
    "Economics",
    "FeedbackChannel",
    "OperatingModel",
    "Schedule",
    "Structure",
    "Tools",
]

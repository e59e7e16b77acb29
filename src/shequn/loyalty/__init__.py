"""Loyalty: the ladder, tie strength and customer-base models."""

from shequn.loyalty.stages import LADDER, Stage

__all__ = ["LADDER", "Stage"]

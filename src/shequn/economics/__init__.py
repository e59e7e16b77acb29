"""Economics of a community: prices, channel costs, CAC, LTV, ROI, excess spend (seeds 000, 003).

Examples
--------
>>> from shequn.economics import Economics, ltv
>>> Economics().margin, ltv(4.0, 0.02)
(0.4, 200.0)
"""

from shequn.economics.money import Economics, cac, excess_spend, ltv, roi

__all__ = ["Economics", "cac", "excess_spend", "ltv", "roi"]

"""Economics of a community: prices, channel costs, CAC, LTV, ROI and ad waste (seeds 000, 003).

Examples
--------
>>> from shequn.economics import Economics, ltv
>>> Economics().margin, ltv(4.0, 0.02)
(0.4, 200.0)
"""

from shequn.economics.money import Economics, ad_waste, cac, ltv, roi

__all__ = ["Economics", "ad_waste", "cac", "ltv", "roi"]

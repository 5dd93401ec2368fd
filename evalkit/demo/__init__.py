"""Synthetic demo data: a seeded, reproducible stand-in for a real collaborative.

``from evalkit.demo import write_demo_data``; the generator lives in :mod:`evalkit.demo.generate`.
"""
from evalkit.demo.generate import TABLE_COLUMNS, write_demo_data, write_large_data

__all__ = ["TABLE_COLUMNS", "write_demo_data", "write_large_data"]

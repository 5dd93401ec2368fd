"""evalkit: evaluation of social-service workforce initiatives.

Importing evalkit has no side effects: no style changes, no logging set-up, no
file reads. The public API is re-exported lazily so ``import evalkit`` stays fast
for the command line.
"""
from __future__ import annotations

from importlib import import_module

__version__ = "0.1.0"

# name -> module that defines it
_EXPORTS = {
    "EvalkitError": "evalkit.errors",
    "qic": "evalkit.spc",
    "plot_qic": "evalkit.plotting",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'evalkit' has no attribute {name!r}")

"""Contextual value-added (SPEC §4.7, §4.10): each school's quality index against what its social
context predicts, as a school effect with its own uncertainty (:mod:`.model`; the numerical
steps in :mod:`.estimation`)."""

from shnor.value_added.model import VA_COLUMNS, ValueAdded, fit_value_added
from shnor.verdicts import ABOVE, BELOW, WITHIN

__all__ = ["ABOVE", "BELOW", "VA_COLUMNS", "WITHIN", "ValueAdded", "fit_value_added"]

"""The verdicts of the value-added comparison (SPEC §4.7) as they stand in the data: shared by
the method (:mod:`shnor.value_added`) and the reports, which must not import scikit-learn."""

ABOVE, BELOW, WITHIN = "выше ожидаемого", "ниже ожидаемого", "в пределах ожидаемого"

"""The computation of a report year: :class:`~shnor.analysis.run.Run` (every step once), the
region's scale as a file (:mod:`.reference`), groups given by the ИРО (:mod:`.given`), a
municipality's report from a regional run (:mod:`.scope`), the overview and differentiation
tables. Modules are imported by name; this package re-exports nothing (a report kernel must
not pay for scikit-learn it does not use)."""

"""The edge of the package: the data contract (:mod:`.contract`, :mod:`.aliases`), reading CSV and
XLSX (:mod:`.loading`, :mod:`.xlsx`), parsing and checking cells (:mod:`.parsing`,
:mod:`.text_checks`, :mod:`.validation`), the input template, student-level aggregation and safe
writing (:mod:`.writers`)."""

"""Social context (SPEC §4.3): the school social well-being index ИСБШ (:mod:`.isbsh`)."""

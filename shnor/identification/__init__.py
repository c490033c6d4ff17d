"""The lists of the year (SPEC §4.2; seed 000 tables 1–3): the rules :mod:`.table1`, :mod:`.oip`,
:mod:`.fioko_tail`; :mod:`.decisions` over the years; :mod:`.flags` and reasons; the programme's
tables 1–3 (:mod:`.support`); the certainty of a listing (:mod:`.certainty`); the official lists
(:mod:`.official`); the report's tables (:mod:`.tables`)."""

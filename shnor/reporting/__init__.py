"""Everything a reader sees: the label registry (:mod:`.labels`), numbers (:mod:`.formatting`),
figures (:mod:`.figures`, :mod:`.charts`), views of the tables (:mod:`.views`), texts
(:mod:`.text`), Excel sheets (:mod:`.sheets`), HTML (:mod:`.html`, ``templates/``), school cards
(:mod:`.cards`), the appendix to the order (:mod:`.order`) and the notebooks' helpers
(:mod:`.notebook`)."""

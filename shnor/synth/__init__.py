"""Synthetic regions: the demo region and the national-size generator (:mod:`.region`,
:mod:`.programme`), writing them (:mod:`.files`) and their student rows (:mod:`.students`)."""

"""The yearly run (``shnor run``): the steps (:mod:`.suite`), notebook execution
(:mod:`.notebooks`), the atomic output folder (:mod:`.folders`) and the manifest
(:mod:`.manifest`)."""

"""Result quality (SPEC §4.4–4.5): the quality index and its groups (:mod:`.index`), ИРО-style
clusters (:mod:`.clustering`), the sensitivity of types and clusters (:mod:`.sensitivity`)."""

"""The engine backend: the same answers from a distributed search engine (Sphinx, Manticore)."""

"""Retrieval: articles -> passages -> BM25 index -> cited answers."""

"""Reusable Discord helpers with no feature of their own: safe sending, paging, errors."""

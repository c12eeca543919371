"""Domain logic: plain functions with explicit arguments; they flush, callers commit."""

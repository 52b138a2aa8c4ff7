"""The browser extension and bookmarklet that capture threads from X (build.py builds them from src/)."""

"""Analyses over Snapshots: leak suspects, diffs across a series, the leak fingerprint."""

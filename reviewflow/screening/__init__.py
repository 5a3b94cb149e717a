"""Screening: decisions, stage progression, conflicts, agreement and blinding."""

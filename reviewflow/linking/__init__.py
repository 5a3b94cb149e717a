"""Same study, several reports: suggesting links between reports of one trial
published in two languages, for a person to confirm (never a dedup merge)."""

"""The self-contained HTML report of a review, regenerated from the store."""

"""Directory stewardship: what operators learn about organisations becomes structured proposals; once a
coordinator accepts one, it is a local overlay on the source's values that a sync never overwrites."""

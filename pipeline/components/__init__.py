"""Components, grouped by kind as in Haystack."""

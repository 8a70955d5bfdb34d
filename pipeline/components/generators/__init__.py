"""Components that generate text with a language model; chat generators live in `generators.chat`, as in Haystack."""

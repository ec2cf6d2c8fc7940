"""Rule files: what they may say (syntax, model, validate) and reading
them (load, with the validated-rules cache)."""
